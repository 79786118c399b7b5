/**
 * Shared pieces of the indexer's integration tests: PostgreSQL and Kafka on
 * port base 24000 (24700, 24800) with their state under indexer/.run, a fresh
 * schema and topic prefix per test, and a small coffee-chain scenario.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { pino } from 'pino';
import type { Pool } from 'pg';
import { loadDevnetConfig, type DevnetConfig } from '../../../network/src/config';
import { createKafkaBroker, type KafkaBroker } from '../../../network/src/services/kafka-broker';
import { createPostgres, type PostgresServer } from '../../../network/src/services/postgres';
import * as os from 'node:os';
import request from 'supertest';
import { DEFAULT_QUERY_LIMITS, type IndexerConfig } from '../../../indexer/src/config';
import { dropSchema, migrate } from '../../../indexer/src/db/migrate';
import { createPool } from '../../../indexer/src/db/pool';
import type { Indexer } from '../../../indexer/src/main';
import type { Role } from '../../../lib/domain/src/roles';
import { loadLedgerConfig } from '../../../lib/fabric/src';
import { devnetLedgerEnv } from '../../../network/src/connection-files';
import { sharedDevnet } from '../../fixtures/test-devnet';
import { AUDITOR, RETAILER, SUPPLIER, eventId, submitJson, uniqueGln, uniqueGtin, type Orgs } from '../chaincode/ledger-fixtures';
import { waitFor } from '../../fixtures/wait-for';

export { waitFor };

/** Port base of the indexer's services (PostgreSQL +700, Kafka +800). */
export const SERVICES_PORT_BASE = Number(process.env.INDEXER_SERVICES_PORT_BASE ?? 24000);

/** Services config: its own run folder, so the devnet's `down` never stops them. */
export function servicesConfig(): DevnetConfig {
  const base = loadDevnetConfig({ portBase: SERVICES_PORT_BASE });
  return loadDevnetConfig({ portBase: SERVICES_PORT_BASE, runDir: path.join(base.root, 'indexer', '.run', `services-${SERVICES_PORT_BASE}`) });
}

export function testPostgres(): PostgresServer {
  return createPostgres({ cfg: servicesConfig(), database: 'indexer_test' });
}

/**
 * A migrated schema of its own on the indexer tests' PostgreSQL, for a test of the read model's SQL alone:
 * made in a before-hook of the enclosing describe (then `ready` adds what the test starts from), dropped
 * with the server stopped in its after-hook. The pool is there once the hook has run.
 */
export function migratedSchema(prefix: string, ready?: (pool: Pool) => Promise<void>): { pool: () => Pool; schema: string } {
  const schema = unique(prefix);
  let pg: PostgresServer | undefined;
  let pool: Pool | undefined;
  before(async () => {
    pg = testPostgres();
    await pg.start();
    pool = createPool({ connectionString: pg.connectionString, schema, max: 1 });
    await migrate(pool, schema);
    await ready?.(pool);
  });
  after(async () => {
    if (pool) {
      await dropSchema(pool, schema).catch(() => undefined);
      await pool.end();
    }
    await pg?.stop();
  });
  return {
    pool: () => {
      if (!pool) throw new Error(`schema ${schema} is made in a before-hook: read the pool inside a test or hook`);
      return pool;
    },
    schema,
  };
}

export function testKafka(): KafkaBroker {
  return createKafkaBroker({ cfg: servicesConfig() });
}

/** A name unique to this run, e.g. for schemas and topic prefixes. */
export const unique = (tag: string) => `${tag}_${randomBytes(4).toString('hex')}`;

/** Logs only warnings and worse unless INDEXER_TEST_LOG is set. */
export const testLog = () => pino({ name: 'indexer-test', level: process.env.INDEXER_TEST_LOG ?? 'warn' });

/** Indexer configuration for a test: fresh schema, the shared devnet (unless `over.ledger` names another), an ephemeral HTTP port. */
export function testConfig(over: Partial<IndexerConfig> & { databaseUrl: string }): IndexerConfig {
  const ledger = over.ledger ?? loadLedgerConfig(devnetLedgerEnv(sharedDevnet(), AUDITOR));
  return {
    schema: unique('it'),
    kafka: 'off',
    topicPrefix: `${unique('it')}.supplychain`,
    topicPartitions: 3,
    eventSource: 'urn:coffee-trace:test',
    ledger,
    // The auditor's indexer publishes and serves every member's facts; another organisation's only its own.
    ownerRole: ledger.mspId === AUDITOR ? 'auditor' : 'member',
    http: { host: '127.0.0.1', port: 0 },
    // The query API's own dev issuer: tests mint tokens with queryToken().
    auth: {
      audience: 'coffee-trace-gateway',
      algorithms: ['ES256'],
      devIssuer: true,
      orgClaim: 'org',
      requireOrg: false,
      devIssuerPort: 0,
      devKeyFile: path.join(os.tmpdir(), `${unique('indexer-issuer')}.json`),
    },
    pollMs: 200,
    retryDelayMs: 300,
    outboxBatch: 200,
    logLevel: 'warn',
    // Tests read as fast as they can: the per-caller rate limit is not what they exercise.
    query: { ...DEFAULT_QUERY_LIMITS, rateLimit: { ratePerSec: 100_000, burst: 100_000 } },
    ...over,
  };
}

/** A bearer token for the indexer's query API, signed by its dev issuer. */
export function queryToken(indexer: Indexer, roles: Role[] = ['auditor'], sub = 'it-reader'): Promise<string> {
  const issuer = indexer.devIssuer();
  if (!issuer) throw new Error('the indexer runs without its dev issuer');
  return issuer.mint({ sub, roles });
}

/** A supertest agent on the indexer's query API sending a token of `roles` with every request. */
export async function queryApi(indexer: Indexer, roles: Role[] = ['auditor', 'retailer-ops']): Promise<ReturnType<typeof request.agent>> {
  return request.agent(`http://127.0.0.1:${indexer.httpPort()}`).set('Authorization', `Bearer ${await queryToken(indexer, roles)}`);
}

/** GET on the indexer's query API with a token of `roles`. */
export async function queryGet(indexer: Indexer, pathAndQuery: string, roles: Role[] = ['auditor'], init: RequestInit = {}): Promise<Response> {
  const token = await queryToken(indexer, roles);
  return fetch(`http://127.0.0.1:${indexer.httpPort()}${pathAndQuery}`, {
    ...init,
    headers: { ...(init.headers as Record<string, string> | undefined), Authorization: `Bearer ${token}` },
  });
}

/**
 * Height of the ledger as far as any organisation's peer has committed: a
 * submission waits only for its own organisation's peer, so the indexer's
 * peer may not have the block yet.
 */
export async function ledgerTip(orgs: Orgs): Promise<bigint> {
  const heights = await Promise.all(Object.values(orgs).map((c) => c.height()));
  return heights.reduce((a, b) => (b > a ? b : a), 0n);
}

/** Waits until every organisation's own peer has committed `block`. */
export async function peersAt(orgs: Orgs, block: bigint, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const heights = await Promise.all(Object.values(orgs).map((c) => c.height().catch(() => 0n)));
    if (heights.every((h) => h > block)) return;
    if (Date.now() > end) throw new Error(`peers did not reach block ${block} within ${timeoutMs} ms (heights ${heights.join(', ')})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the schema's checkpoint reaches `block`. */
export function waitForBlock(pool: Pool, block: bigint, timeoutMs = 60_000): Promise<bigint> {
  return waitFor(
    `checkpoint ${block}`,
    async () => {
      const r = await pool.query<{ block_number: string }>('SELECT block_number FROM checkpoint');
      const n = r.rows[0] ? BigInt(r.rows[0].block_number) : -1n;
      return n >= block ? n : undefined;
    },
    timeoutMs,
  );
}

/** Identifiers of one scenario run. */
export interface Chain {
  gln: { coop: string; roastery: string; dc: string; store: string };
  gtin: { green: string; roasted: string };
  greenLot: string;
  roastLot: string;
  shipmentId: string;
  /** Highest block a scenario transaction committed in. */
  lastBlock: bigint;
  txIds: string[];
}

/** Master data for a chain: four locations, two products. */
export async function setUpChain(orgs: Orgs): Promise<Chain> {
  const tag = randomBytes(3).toString('hex').toUpperCase();
  const c: Chain = {
    gln: { coop: uniqueGln(SUPPLIER), roastery: uniqueGln(SUPPLIER), dc: uniqueGln(RETAILER), store: uniqueGln(RETAILER) },
    gtin: { green: uniqueGtin(SUPPLIER), roasted: uniqueGtin(SUPPLIER) },
    greenLot: `GC-${tag}`,
    roastLot: `RB-${tag}`,
    shipmentId: `SH-${tag}`,
    lastBlock: 0n,
    txIds: [],
  };
  const note = (r: { commit: { txId: string; blockNumber: bigint } }) => {
    c.txIds.push(r.commit.txId);
    if (r.commit.blockNumber > c.lastBlock) c.lastBlock = r.commit.blockNumber;
    return r;
  };
  const locations: Array<[string, string, string]> = [
    [SUPPLIER, c.gln.coop, 'cooperative'],
    [SUPPLIER, c.gln.roastery, 'roastery'],
    [RETAILER, c.gln.dc, 'dc'],
    [RETAILER, c.gln.store, 'store'],
  ];
  await Promise.all(
    locations.map(([msp, g, type]) =>
      submitJson(orgs[msp], 'RegisterLocation', { eventId: eventId(), gln: g, type, name: `${type} ${g}`, address: { country: 'DE' } }).then(note),
    ),
  );
  await Promise.all([
    submitJson(orgs[SUPPLIER], 'RegisterProduct', { eventId: eventId(), gtin: c.gtin.green, description: 'Green coffee', unit: 'KGM' }).then(note),
    submitJson(orgs[SUPPLIER], 'RegisterProduct', { eventId: eventId(), gtin: c.gtin.roasted, description: 'Roasted beans', unit: 'KGM' }).then(note),
  ]);
  return c;
}

/** Commission → roast (transformation) → ship to the DC (custody: both orgs) → transfer to a store. */
export async function runChain(orgs: Orgs, c: Chain): Promise<void> {
  const note = (r: { commit: { txId: string; blockNumber: bigint } }) => {
    c.txIds.push(r.commit.txId);
    if (r.commit.blockNumber > c.lastBlock) c.lastBlock = r.commit.blockNumber;
    return r;
  };
  const s = orgs[SUPPLIER];
  const both = [SUPPLIER, RETAILER];
  note(
    await submitJson(s, 'CommissionLot', {
      eventId: eventId(),
      gln: c.gln.roastery,
      gtin: c.gtin.green,
      lotCode: c.greenLot,
      quantity: '1000',
      origin: { cooperative: 'Los Andes', country: 'CO' },
    }),
  );
  note(
    await submitJson(s, 'TransformLots', {
      eventId: eventId(),
      gln: c.gln.roastery,
      workOrder: `WO-${c.roastLot}`,
      inputs: [{ gtin: c.gtin.green, lotCode: c.greenLot, quantity: '600' }],
      outputs: [{ gtin: c.gtin.roasted, lotCode: c.roastLot, quantity: '500' }],
    }),
  );
  // Both parties endorse the shipment: the retailer's peer must hold the roasted lot first (a commit waits
  // for the submitter's own peers only).
  await peersAt(orgs, c.lastBlock);
  note(
    await submitJson(
      s,
      'CreateShipment',
      {
        eventId: eventId(),
        shipmentId: c.shipmentId,
        fromGln: c.gln.roastery,
        toGln: c.gln.dc,
        lines: [{ gtin: c.gtin.roasted, lotCode: c.roastLot, quantity: '500' }],
      },
      both,
    ),
  );
  note(await submitJson(s, 'DispatchShipment', { eventId: eventId(), shipmentId: c.shipmentId }, both));
  note(await submitJson(orgs[RETAILER], 'ReceiveShipment', { eventId: eventId(), shipmentId: c.shipmentId }, both));
  note(
    await submitJson(orgs[RETAILER], 'TransferStock', {
      eventId: eventId(),
      fromGln: c.gln.dc,
      toGln: c.gln.store,
      lines: [{ gtin: c.gtin.roasted, lotCode: c.roastLot, quantity: '120' }],
    }),
  );
}
