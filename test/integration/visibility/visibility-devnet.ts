/**
 * The visibility matrix's own devnet: retailer, three suppliers, a carrier and
 * the auditor (six organisations, one orderer) on its own port base
 * (VISIBILITY_TEST_PORT_BASE, default 28000), an indexer following the
 * auditor's peer, and one gateway per organisation. Every gateway and the
 * query API trust one issuer (the indexer's dev issuer), as one identity
 * provider for the consortium would be set up.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import pino from 'pino';
import type { Pool } from 'pg';
import { loadDevnetConfig, type DevnetConfig } from '../../../network/src/config';
import { devnetDown, devnetUp } from '../../../network/src/devnet';
import { connectDevnet } from '../../../network/src/connect-devnet';
import { devnetLedgerEnv } from '../../../network/src/connection-files';
import type { PostgresServer } from '../../../network/src/services/postgres';
import { loadLedgerConfig, type LedgerClient } from '../../../lib/fabric/src';
import type { Role } from '../../../lib/domain/src/roles';
import { DEFAULT_SUBSCRIPTIONS } from '../../../indexer/src/config';
import { dropSchema } from '../../../indexer/src/db/migrate';
import { createPool } from '../../../indexer/src/db/pool';
import { createIndexer, type Indexer } from '../../../indexer/src/main';
import { loadGatewayConfig } from '../../../gateway/src/config';
import { start, type RunningGateway } from '../../../gateway/src/main';
import { testConfig, testLog, testPostgres } from '../indexer/harness';

export const VISIBILITY_PORT_BASE = Number(process.env.VISIBILITY_TEST_PORT_BASE ?? 28000);

export const R = 'RetailerMSP';
export const S1 = 'SupplierMSP';
export const S2 = 'Supplier2MSP';
export const S3 = 'Supplier3MSP';
export const C = 'CarrierMSP';
export const A = 'AuditorMSP';
/** The members, each reading with member roles only (the auditor's organisation too: no `auditor` role). */
export const MEMBERS = [R, S1, S2, S3, C] as const;
export type Member = (typeof MEMBERS)[number];
/** A reader holding the `auditor` role, of the auditor's organisation. */
export const AUDITOR = 'auditor';
export type Reader = Member | typeof AUDITOR;
export const READERS: readonly Reader[] = [...MEMBERS, AUDITOR];

export function visibilityDevnetConfig(): DevnetConfig {
  const root = loadDevnetConfig({ portBase: VISIBILITY_PORT_BASE }).root;
  return loadDevnetConfig({
    portBase: VISIBILITY_PORT_BASE,
    runDir: path.join(root, 'network', 'run', `test-visibility-${VISIBILITY_PORT_BASE}`),
    topology: { suppliers: 3, carriers: 1, orderers: 1, added: [] },
  });
}

export interface VisibilityNet {
  cfg: DevnetConfig;
  /** A ledger client per organisation (submits with its Fabric identity). */
  orgs: Record<string, LedgerClient>;
  indexer: Indexer;
  pool: Pool;
  queryUrl: string;
  /** The gateway of each organisation (the auditor reader uses the auditor organisation's). */
  gateways: Record<string, RunningGateway>;
  /** `Bearer …` of each reader. */
  auth: Record<Reader, string>;
  stop(): Promise<void>;
}

const MEMBER_ROLES: Role[] = ['retailer-ops', 'supplier'];

/** Starts the devnet, the indexer and the gateways; whatever started is stopped again when a later step fails. */
export async function startVisibilityNet(): Promise<VisibilityNet> {
  const cfg = visibilityDevnetConfig();
  const quiet = () => undefined;
  const orgs: Record<string, LedgerClient> = {};
  const gateways: Record<string, RunningGateway> = {};
  let pg: PostgresServer | undefined;
  let indexer: Indexer | undefined;
  let schema = '';
  const stop = async () => {
    for (const g of Object.values(gateways)) await g.stop().catch(() => undefined);
    for (const c of Object.values(orgs)) c.close();
    await indexer?.stop().catch(() => undefined);
    if (pg) {
      const admin = createPool({ connectionString: pg.connectionString, schema: 'public' });
      await dropSchema(admin, schema).catch(() => undefined);
      await admin.end();
      await pg.stop();
    }
    await devnetDown(cfg, { wipe: process.env.KEEP_TEST_DEVNET !== '1' }, quiet);
  };
  try {
    await devnetDown(cfg, { wipe: true }, quiet);
    const info = await devnetUp(cfg, quiet);
    for (const msp of [R, S1, S2, S3, C, A]) orgs[msp] = await connectDevnet(info, msp);
    pg = testPostgres();
    await pg.start();
    const icfg = testConfig({
      databaseUrl: pg.connectionString,
      ledger: loadLedgerConfig(devnetLedgerEnv(info, A)),
      // The matrix's webhook receiver listens on loopback.
      subscriptions: { ...DEFAULT_SUBSCRIPTIONS, webhookAllow: ['127.0.0.1/32'] },
    });
    schema = icfg.schema;
    indexer = createIndexer(icfg, { log: testLog() });
    await indexer.start();
    const queryUrl = `http://127.0.0.1:${indexer.httpPort()}`;
    const issuer = JSON.parse(fs.readFileSync(icfg.auth.devKeyFile!, 'utf8')) as { issuer: string; jwksUrl: string };
    for (const msp of [R, S1, S2, S3, C, A]) {
      const gcfg = loadGatewayConfig({
        ...devnetLedgerEnv(info, msp),
        GATEWAY_PORT: '0',
        DATABASE_URL: pg.connectionString,
        AUTH_JWKS_URL: issuer.jwksUrl,
        AUTH_ISSUER: issuer.issuer,
        EPCIS_QUERY_URL: queryUrl,
        CONSOLE_INDEXER_URL: queryUrl,
        RATE_LIMIT_RPS: '10000',
        RATE_LIMIT_BURST: '10000',
        SUBMIT_WORKER_POLL_MS: '200',
      });
      gateways[msp] = await start(gcfg, { logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent', base: { msp } }) });
    }
    const mint = (sub: string, roles: Role[], org: string) => indexer!.devIssuer()!.mint({ sub, roles, org });
    const auth = {} as Record<Reader, string>;
    for (const m of MEMBERS) auth[m] = `Bearer ${await mint(`${m}-user`, MEMBER_ROLES, m)}`;
    auth[AUDITOR] = `Bearer ${await mint('auditor-user', ['auditor'], A)}`;
    return { cfg, orgs, indexer, pool: indexer.pool, queryUrl, gateways, auth, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The gateway a reader uses: its own organisation's. */
export const gatewayOf = (net: VisibilityNet, reader: Reader) => net.gateways[reader === AUDITOR ? A : reader];
