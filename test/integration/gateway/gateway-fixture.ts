/**
 * Integration fixture: real PostgreSQL on port base 25000 (+700) and one real
 * gateway per organisation on the shared test devnet, each with its own dev
 * issuer. Everything started here is stopped by `stop()`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pino from 'pino';
import { createPostgres, type PostgresServer } from '../../../network/src/services/postgres';
import type { Role } from '../../../lib/domain/src/roles';
import { loadGatewayConfig } from '../../../gateway/src/config';
import { start, type RunningGateway } from '../../../gateway/src/main';
import { devnetLedgerEnv } from '../../../network/src/connection-files';
import { sharedDevnet, testDevnetConfig } from '../../fixtures/test-devnet';

/** Port base of this suite's PostgreSQL (port 25700 with the default). */
export const GATEWAY_PG_PORT_BASE = Number(process.env.GATEWAY_TEST_PG_PORT_BASE ?? 25000);

export interface GatewayFixture {
  pg: PostgresServer;
  gateways: Record<string, RunningGateway>;
  token(msp: string, roles: Role[], sub?: string): Promise<string>;
  stop(): Promise<void>;
}

/** `extraEnv`: settings for every gateway, or per organisation (e.g. a fixed port). */
export async function startGatewayFixture(
  msps: string[],
  extraEnv: Record<string, string> | ((msp: string) => Record<string, string>) = {},
): Promise<GatewayFixture> {
  const pgCfg = testDevnetConfig(GATEWAY_PG_PORT_BASE);
  // PostgreSQL keeps its data in its own folder so the devnet fixture's wipe never races it.
  const pg = createPostgres({
    cfg: { ...pgCfg, runDir: path.join(pgCfg.root, 'network', 'run', `gateway-pg-${GATEWAY_PG_PORT_BASE}`) },
    database: 'gateway_test',
  });
  await pg.start();
  const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-keys-'));
  const gateways: Record<string, RunningGateway> = {};
  try {
    for (const msp of msps) {
      const cfg = loadGatewayConfig({
        ...devnetLedgerEnv(sharedDevnet(), msp),
        GATEWAY_PORT: '0',
        DATABASE_URL: pg.connectionString,
        DEV_ISSUER_KEY_FILE: path.join(keyDir, `${msp}.json`),
        RATE_LIMIT_RPS: '1000',
        RATE_LIMIT_BURST: '1000',
        SUBMIT_WORKER_POLL_MS: '200',
        ...(typeof extraEnv === 'function' ? extraEnv(msp) : extraEnv),
      });
      gateways[msp] = await start(cfg, { logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent', base: { msp } }) });
    }
  } catch (err) {
    for (const g of Object.values(gateways)) await g.stop().catch(() => undefined);
    await pg.stop();
    throw err;
  }
  return {
    pg,
    gateways,
    token: (msp, roles, sub = `it-${roles.join('+')}`) => gateways[msp].devIssuer!.mint({ sub, roles, org: msp }),
    async stop() {
      for (const g of Object.values(gateways)) await g.stop().catch(() => undefined);
      await pg.stop();
      fs.rmSync(keyDir, { recursive: true, force: true });
    },
  };
}
