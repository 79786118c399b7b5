import { expect } from 'chai';
import { Client } from 'pg';
import { RowBuffer, type TableSpec } from '../../../indexer/src/projection/row-buffer';
import type { PostgresServer } from '../../../network/src/services/postgres';
import { testPostgres, unique } from './harness';

/** COPY (append-only tables) must store exactly what the INSERT path stores, whatever the text holds. */
describe('indexer: rows written with COPY equal rows written with INSERT', function () {
  this.timeout(120_000);
  let pg: PostgresServer;
  let client: Client;
  const schema = unique('rows');
  const columns = ['id', 'label', 'tags', 'raw', 'doc', 'flag', 'amount', 'at'];
  const copied: TableSpec = { table: 'copied', columns, key: ['id'], onConflict: 'error' };
  const inserted: TableSpec = { table: 'inserted', columns, key: ['id'], onConflict: 'nothing' };
  const literal: TableSpec = { table: 'literal', columns, key: ['id'], onConflict: 'nothing' };
  const staged: TableSpec = { table: 'staged', columns, key: ['id'], onConflict: 'nothing' };
  const upserted: TableSpec = { table: 'upserted', columns, key: ['id'], onConflict: 'update' };
  const direct: TableSpec = { table: 'direct', columns, key: ['id'], onConflict: 'nothing' };

  before(async () => {
    pg = testPostgres();
    await pg.start();
    client = new Client({ connectionString: pg.connectionString });
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET search_path = ${schema}`);
    for (const t of ['copied', 'inserted', 'literal', 'staged', 'upserted', 'direct']) {
      await client.query(
        `CREATE TABLE ${t} (id int PRIMARY KEY, label text, tags text[], raw bytea, doc jsonb, flag boolean, amount numeric(24, 3), at timestamptz)`,
      );
    }
  });
  after(async () => {
    await client?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await client?.end();
    await pg?.stop();
  });

  it('escapes tabs, newlines, backslashes, quotes and NULLs, and keeps bytes, arrays, JSON, booleans and times', async () => {
    const rows: unknown[][] = [
      [
        1,
        'plain',
        ['RetailerMSP', 'SupplierMSP'],
        Buffer.from([0, 1, 0xfe, 0xff]),
        JSON.stringify({ a: 'x\ty', b: [1, 2] }),
        true,
        '12.500',
        '2026-11-22T04:05:06.789Z',
      ],
      [
        2,
        'tab\there\nnew line\rcr \\ backslash \\N not null',
        ['with "quote"', 'back\\slash', 'comma,brace}', null],
        Buffer.alloc(0),
        '{"s":"\\\\ \\" \\n"}',
        false,
        '-0.001',
        new Date('2026-01-02T03:04:05Z'),
      ],
      [3, null, [], null, null, null, null, null],
      [4, 'unicode ☕ é 漢字', ['☕'], Buffer.from('\\x41', 'utf8'), '{"k":"☕"}', true, '99999999999999999999.999', '2026-11-22T04:05:06+02:00'],
    ];
    const buffer = new RowBuffer();
    for (const r of rows) {
      buffer.add(copied, r);
      buffer.add(inserted, r);
    }
    await buffer.flush(client as never);
    const read = async (t: string) => (await client.query(`SELECT * FROM ${t} ORDER BY id`)).rows;
    const viaCopy = await read('copied');
    expect(viaCopy).to.have.length(rows.length);
    expect(viaCopy).to.deep.equal(await read('inserted'));
    expect(viaCopy[1].label).to.equal(rows[1][1]);
    expect(viaCopy[1].tags).to.deep.equal(rows[1][2]);
    expect(viaCopy[0].raw.equals(rows[0][3])).to.equal(true);

    // The one-round-trip form of a small batch (literal values) and the staging table of a large one.
    const small = new RowBuffer();
    for (const r of rows) small.add(literal, r);
    await client.query(small.toSql());
    expect(await read('literal')).to.deep.equal(viaCopy);
    const large = new RowBuffer({ stageFrom: 1 });
    for (const r of rows) large.add(staged, r);
    await large.flush(client as never);
    expect(await read('staged')).to.deep.equal(viaCopy);
  });

  it('keeps the first of duplicate rows and the last version of an upserted key, in both batch forms', async () => {
    const row = (id: number, label: string) => [id, label, [], null, null, null, null, null];
    const batch = (spec: TableSpec, stageFrom = 200) => {
      const b = new RowBuffer({ stageFrom });
      [row(20, 'first'), row(21, 'x'), row(20, 'second')].forEach((r) => b.add(spec, r));
      return b;
    };
    await batch(staged, 1).flush(client as never);
    await client.query(batch(literal).toSql());
    await batch(upserted, 1).flush(client as never);
    await client.query(
      batch(upserted)
        .toSql()
        .replace(/'second'/, "'again'"),
    );
    const label = async (t: string) => (await client.query(`SELECT label FROM ${t} WHERE id = 20`)).rows[0].label;
    expect(await label('staged')).to.equal('first');
    expect(await label('literal')).to.equal('first');
    expect(await label('upserted')).to.equal('again');
  });

  it('fails the whole COPY on a duplicate key, as a plain INSERT would', async () => {
    const buffer = new RowBuffer();
    buffer.add(copied, [10, 'a', [], null, null, null, null, null]);
    buffer.add(copied, [10, 'b', [], null, null, null, null, null]);
    let err: Error | undefined;
    await buffer.flush(client as never).catch((e: Error) => {
      err = e;
    });
    expect(err?.message).to.match(/duplicate key/);
    expect((await client.query('SELECT count(*)::int AS n FROM copied WHERE id = 10')).rows[0].n).to.equal(0);
  });

  it('copies many duplicate-skipping rows straight in, and stages them only when one is already there', async () => {
    const row = (id: number, label: string) => [id, label, [], null, null, null, null, null];
    const write = async (rows: unknown[][]) => {
      const b = new RowBuffer({ stageFrom: 2 });
      rows.forEach((r) => b.add(direct, r));
      await b.flush(client as never);
    };
    const labels = async () => (await client.query('SELECT id, label FROM direct ORDER BY id')).rows.map((r) => `${r.id}:${r.label}`);
    const staging = async () => (await client.query("SELECT to_regclass('pg_temp.stage_direct') AS t")).rows[0].t;

    // Inside a transaction, as the projection writes: new rows need no staging table.
    await client.query('BEGIN');
    await write([row(30, 'a'), row(31, 'b'), row(32, 'c')]);
    expect(await staging()).to.equal(null);
    // One row already stored: the COPY is undone to its savepoint and the rows are staged; the transaction goes on.
    await write([row(33, 'd'), row(31, 'changed'), row(34, 'e')]);
    expect(await staging()).to.not.equal(null);
    await client.query('COMMIT');
    expect(await labels()).to.deep.equal(['30:a', '31:b', '32:c', '33:d', '34:e']);

    // Outside a transaction block the same: the failed COPY left nothing, the staged write keeps the first.
    await write([row(35, 'f'), row(30, 'changed')]);
    expect(await labels()).to.deep.equal(['30:a', '31:b', '32:c', '33:d', '34:e', '35:f']);
  });
});
