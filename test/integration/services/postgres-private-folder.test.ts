import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { loadDevnetConfig } from '../../../network/src/config';
import { isAlive } from '../../../network/src/processes';
import { createPostgres, type PostgresServer } from '../../../network/src/services/postgres';
import { CLUSTER_POINTER, PostgresPreconditionError } from '../../../network/src/services/postgres-account';

/** Port base of the service tests; 17000 and 18000 belong to the devnet tests. */
const PORT_BASE = Number(process.env.SERVICES_TEST_PORT_BASE ?? 19000) + 10;

describe('local PostgreSQL from a checkout only its owner can enter', function () {
  this.timeout(300_000);
  const asRoot = process.getuid?.() === 0;
  // A folder like root's home or any `mktemp -d` folder: mode 700, owned by us.
  const privateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'private-checkout-'));
  const runDir = path.join(privateDir, 'network', 'run', 'pg');
  const cfg = loadDevnetConfig({ portBase: PORT_BASE, runDir });
  let server: PostgresServer | undefined;

  before(function () {
    expect(fs.statSync(privateDir).mode & 0o777).to.equal(0o700);
  });

  after(async () => {
    await server?.remove().catch(() => undefined);
    fs.rmSync(privateDir, { recursive: true, force: true });
  });

  it('starts in a run folder inside the private folder, answers queries, and leaves the folder private', async () => {
    server = createPostgres({ cfg, database: 'private_test' });
    await server.start();
    const pid = server.pid()!;
    expect(isAlive(pid)).to.equal(true);
    const client = new Client({ connectionString: server.connectionString });
    await client.connect();
    try {
      const r = await client.query<{ db: string; dir: string }>("SELECT current_database() AS db, current_setting('data_directory') AS dir");
      expect(r.rows[0].db).to.equal('private_test');
      if (asRoot) {
        // The server's account cannot enter the private folder, so its cluster is elsewhere, and the run folder says where.
        expect(r.rows[0].dir.startsWith(privateDir)).to.equal(false);
        const pointer = fs.readFileSync(path.join(runDir, 'state', 'postgres', CLUSTER_POINTER), 'utf8').trim();
        expect(r.rows[0].dir).to.equal(path.join(pointer, 'data'));
        const uid = Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
        expect(uid).to.not.equal(0);
        expect(fs.statSync(pointer).uid).to.equal(uid);
        expect(fs.statSync(pointer).mode & 0o777).to.equal(0o700);
      } else {
        expect(r.rows[0].dir.startsWith(runDir)).to.equal(true);
      }
    } finally {
      await client.end();
    }
    expect(fs.statSync(privateDir).mode & 0o777).to.equal(0o700);
  });

  it('removes its cluster, inside or outside the run folder, with remove()', async () => {
    const pointerFile = path.join(runDir, 'state', 'postgres', CLUSTER_POINTER);
    const cluster = asRoot ? fs.readFileSync(pointerFile, 'utf8').trim() : path.join(runDir, 'state', 'postgres', 'data');
    const pid = server!.pid()!;
    await server!.remove();
    expect(isAlive(pid)).to.equal(false);
    expect(fs.existsSync(cluster)).to.equal(false);
    server = undefined;
  });

  it('says in one line what to do when its service folder cannot be reached by the server account', async () => {
    const unreachable = path.join(privateDir, 'service');
    const pg = createPostgres({ cfg: loadDevnetConfig({ portBase: PORT_BASE + 1, runDir: path.join(privateDir, 'run2') }), serviceDir: unreachable });
    if (!asRoot) {
      // Not root: the server runs as us, from where it is installed; the service folder is not used.
      await pg.prepare();
      expect(fs.existsSync(unreachable)).to.equal(false);
      return;
    }
    let err: unknown;
    try {
      await pg.prepare();
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(PostgresPreconditionError);
    const msg = (err as Error).message;
    expect(msg.split('\n')).to.have.length(1);
    expect(msg).to.include(privateDir).and.to.include('POSTGRES_SERVICE_DIR');
    expect(pg.pid()).to.equal(undefined);
  });
});
