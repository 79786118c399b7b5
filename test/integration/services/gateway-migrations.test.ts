import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Pool } from 'pg';
import { gatewayMigrationsDir, migrateGateway } from '../../../gateway/src/db';
import { loadDevnetConfig } from '../../../network/src/config';
import { createPostgres, type PostgresServer } from '../../../network/src/services/postgres';

/** Port base of the service tests, clear of the other service tests on the same base. */
const PORT_BASE = Number(process.env.SERVICES_TEST_PORT_BASE ?? 19000) + 30;

describe("the gateway's numbered migrations on PostgreSQL", function () {
  this.timeout(180_000);
  const base = loadDevnetConfig({ portBase: PORT_BASE });
  const cfg = loadDevnetConfig({ portBase: PORT_BASE, runDir: path.join(base.root, 'network', 'run', `gateway-migrations-${PORT_BASE}`) });
  let server: PostgresServer;
  const pools: Pool[] = [];
  const pool = (database: string) => {
    const p = new Pool({ connectionString: server.connectionString.replace(/\/[^/]+$/, `/${database}`), max: 2 });
    // An idle client cut off by the server's shutdown reports it as an error event; at the end of the test that is expected.
    p.on('error', () => undefined);
    pools.push(p);
    return p;
  };

  before(async () => {
    server = createPostgres({ cfg, database: 'postgres' });
    await server.start();
    const admin = pool('postgres');
    for (const db of ['fresh', 'upgraded']) {
      await admin.query(`DROP DATABASE IF EXISTS ${db}`);
      await admin.query(`CREATE DATABASE ${db}`);
    }
  });

  after(async () => {
    for (const p of pools) await p.end().catch(() => undefined);
    await server?.remove();
  });

  it('three gateways starting together on a fresh database apply each migration once', async () => {
    await Promise.all([pool('fresh'), pool('fresh'), pool('fresh')].map((p) => migrateGateway(p)));
    const p = pool('fresh');
    const applied = await p.query<{ version: number }>('SELECT version FROM gateway.schema_migrations ORDER BY version');
    const files = fs.readdirSync(gatewayMigrationsDir()).filter((f) => f.endsWith('.sql'));
    expect(applied.rows.map((r) => r.version)).to.deep.equal(files.map((_, i) => i + 1));
    const tables = await p.query<{ t: string }>("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'gateway' ORDER BY 1");
    expect(tables.rows.map((r) => r.t)).to.include.members(['submissions', 'idempotency', 'payment_claims', 'epcis_captures', 'pos_receipt_proofs']);
    await migrateGateway(p);
    expect((await p.query('SELECT count(*)::int AS n FROM gateway.schema_migrations')).rows[0].n).to.equal(files.length);
  });

  it('a database whose tables a gateway created before numbered migrations keeps its rows', async () => {
    const p = pool('upgraded');
    // What earlier gateways did at start: the same tables, created by the stores themselves.
    await p.query('CREATE SCHEMA gateway');
    await p.query(fs.readFileSync(path.join(gatewayMigrationsDir(), '004_pos_receipt_proofs.sql'), 'utf8'));
    await p.query(
      "INSERT INTO gateway.pos_receipt_proofs (store_gln, receipt_id, batch_id, leaf, proof, root) VALUES ('4012345000009', 'R1', 'B1', 'aa', '[]', 'bb')",
    );
    await migrateGateway(p);
    expect((await p.query('SELECT receipt_id FROM gateway.pos_receipt_proofs')).rows).to.deep.equal([{ receipt_id: 'R1' }]);
    expect((await p.query('SELECT count(*)::int AS n FROM gateway.schema_migrations')).rows[0].n).to.be.at.least(4);
  });
});
