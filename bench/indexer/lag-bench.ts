/**
 * Live lag under a moderate submit load, against the benchmark devnet (44000),
 * PostgreSQL (44700) and Kafka (44800), all real. The indexer starts at the
 * ledger's current tip (its schema is seeded with the tip block's header hash,
 * so the next block verifies against it), then `--concurrency` submitters run
 * TransferStock for `--seconds`. Per block:
 *   commit  = when the first submitter of a transaction in it saw its commit event (LedgerClient.submit resolving)
 *   PG      = when the indexer's PostgreSQL transaction holding it committed (the onBlock hook, after COMMIT)
 *   Kafka   = the latest outbox published_at of its rows (set only after the broker acknowledged them)
 *
 *   node dist/bench/indexer/lag-bench.js [--seconds 60] [--concurrency 16]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { gs1CheckDigit } from '../../chaincode/src/traceability/gs1';
import { connectDevnet } from '../../gateway/src/ledger/connect-devnet';
import type { LedgerClient } from '../../gateway/src/ledger/ledger-client';
import { dropSchema, migrate } from '../../indexer/src/db/migrate';
import { createPool } from '../../indexer/src/db/pool';
import { createIndexer } from '../../indexer/src/main';
import { pino } from 'pino';
import { benchDevnet, benchDevnetConfig, benchKafka, benchPostgres, pct, BENCH_PORT_BASE } from './bench-env';

const cd = (b: string) => b + gs1CheckDigit(b);
const submitJson = (c: LedgerClient, fn: string, body: Record<string, unknown>) => c.submit({ contract: 'traceability', fn, args: [JSON.stringify(body)] });

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, concurrency: { type: 'string', default: '16' } } });
  const seconds = Number(values.seconds);
  const workers = Number(values.concurrency);
  const pg = benchPostgres();
  const kafka = benchKafka();
  await pg.start();
  await kafka.start();
  const info = await benchDevnet();
  const client = await connectDevnet(info, 'SupplierMSP');
  const schema = 'bench_lag';
  const pool = createPool({ connectionString: pg.connectionString, schema, max: 2 });
  let indexer: ReturnType<typeof createIndexer> | undefined;
  try {
    // Master data and lots first, so the measured window holds transfers only.
    const run = randomUUID().slice(0, 6);
    const stamp = String(Date.now()).slice(-9);
    const [a, b, gtin] = [cd(`780${stamp}`), cd(`781${stamp}`), cd(`0782${stamp}`)];
    await submitJson(client, 'RegisterLocation', { eventId: `l-${run}-a`, gln: a, type: 'roastery', name: 'A', address: { country: 'DE' } });
    await submitJson(client, 'RegisterLocation', { eventId: `l-${run}-b`, gln: b, type: 'supplier_site', name: 'B', address: { country: 'DE' } });
    await submitJson(client, 'RegisterProduct', { eventId: `p-${run}`, gtin, description: 'Beans', unit: 'KGM' });
    const lot = (w: number, g: number) => `LG-${run}-${w}-${g}`;
    await Promise.all(Array.from({ length: workers }, async (_, w) => {
      for (let g = 0; g < 4; g++) await submitJson(client, 'CommissionLot', { eventId: `c-${run}-${w}-${g}`, gln: a, gtin, lotCode: lot(w, g), quantity: '1000000' });
    }));

    // Seed the schema at the tip: the indexer starts with the next block, verified against this one.
    await dropSchema(pool, schema);
    await migrate(pool, schema);
    const tip = await client.blockByNumber((await client.height()) - 1n);
    await pool.query('INSERT INTO blocks (block_number, header_hash, previous_hash, data_hash, tx_count) VALUES ($1, $2, $3, $4, $5)',
      [tip.number.toString(), tip.headerHash, tip.previousHash, tip.dataHash, tip.transactions.length]);
    await pool.query('INSERT INTO checkpoint (id, block_number) VALUES (true, $1)', [tip.number.toString()]);

    const stored = new Map<string, number>();
    indexer = createIndexer({
      schema, kafka: 'auto', kafkaBrokers: kafka.brokers.join(','), databaseUrl: pg.connectionString, topicPrefix: `bench${run}`, topicPartitions: 3,
      eventSource: 'urn:bench', portBase: BENCH_PORT_BASE, runDir: benchDevnetConfig().runDir, mspId: 'AuditorMSP',
      http: { host: '127.0.0.1', port: 0 }, pollMs: 1000, retryDelayMs: 500, outboxBatch: 500, logLevel: 'warn',
    }, { log: pino({ level: 'warn' }), http: false });
    const blockStored = indexer.metrics.blockStored.bind(indexer.metrics);
    indexer.metrics.blockStored = (s) => {
      stored.set(s.blockNumber.toString(), Date.now());
      blockStored(s);
    };
    await indexer.start();

    const committed = new Map<string, number>();
    let done = 0;
    const deadline = Date.now() + seconds * 1000;
    const t0 = Date.now();
    await Promise.all(Array.from({ length: workers }, async (_, w) => {
      for (let step = 0; Date.now() < deadline; step++) {
        const lines = [{ gtin, lotCode: lot(w, step % 4), quantity: '1' }];
        try {
          const r = await submitJson(client, 'TransferStock', { eventId: `t-${randomUUID()}`, fromGln: a, toGln: b, lines });
          const k = r.blockNumber.toString();
          if (!committed.has(k)) committed.set(k, Date.now());
          done++;
        } catch { /* counted as not committed */ }
      }
    }));
    console.log(`load: ${done} TransferStock in ${((Date.now() - t0) / 1000).toFixed(0)} s = ${(done / ((Date.now() - t0) / 1000)).toFixed(1)} tx/s, ${workers} submitters, ${committed.size} blocks`);
    const last = [...committed.keys()].map(BigInt).reduce((x, y) => (x > y ? x : y));
    const wait = Date.now() + 60_000;
    for (;;) {
      const r = await pool.query('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL OR block_number <= $1', [last.toString()]);
      const pending = await pool.query('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL');
      if ((stored.has(last.toString()) && Number(pending.rows[0].n) === 0 && Number(r.rows[0].n) > 0) || Date.now() > wait) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    const acked = new Map((await pool.query<{ b: string; t: Date }>('SELECT block_number::text AS b, max(published_at) AS t FROM outbox WHERE published_at IS NOT NULL GROUP BY block_number')).rows.map((r) => [r.b, r.t.getTime()]));
    const pgLag: number[] = [];
    const kLag: number[] = [];
    for (const [blk, t] of committed) {
      if (stored.has(blk)) pgLag.push(stored.get(blk)! - t);
      if (acked.has(blk)) kLag.push(acked.get(blk)! - t);
    }
    pgLag.sort((x, y) => x - y);
    kLag.sort((x, y) => x - y);
    const show = (n: string, v: number[]) => console.log(`${n.padEnd(30)} ${v.length} blocks  p50 ${pct(v, 50).toFixed(0)} ms  p99 ${pct(v, 99).toFixed(0)} ms  max ${v[v.length - 1]?.toFixed(0)} ms`);
    show('commit -> PostgreSQL commit', pgLag);
    show('commit -> Kafka ack (outbox)', kLag);
    console.log('commit = submitter saw the commit event; 2 shared cores: figures vary with other load on the machine');
  } finally {
    await indexer?.stop().catch(() => undefined);
    client.close();
    await dropSchema(pool, schema).catch(() => undefined);
    await pool.end().catch(() => undefined);
    await kafka.stop();
    await pg.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
