/**
 * Live lag under a moderate submit load, against the benchmark devnet (44000),
 * PostgreSQL (44700) and Kafka (44800), all real. The indexer starts at the
 * ledger's current tip (its schema is seeded with the tip block's header hash,
 * so the next block verifies against it), then `--concurrency` submitters run
 * TransferStock for `--warmup` seconds (not measured) and then `--seconds`. Per
 * block of the measured window:
 *   commit  = when the first peer committed it (its "Committed block [n]" log line, millisecond UTC time)
 *   and, to show where the time goes: when the indexer's own peer committed it and when the indexer received it
 *   PG      = when the indexer (its own process, as deployed) committed the block's PostgreSQL transaction
 *             (the time of its "block stored" debug log line, written right after COMMIT)
 *   Kafka   = the latest outbox published_at of its rows (set only after the broker acknowledged them)
 *
 * PostgreSQL, Kafka and a devnet it started are stopped at the end; `--keep` leaves that devnet running.
 *
 *   node dist/bench/indexer/lag-bench.js [--seconds 60] [--concurrency 16] [--warmup 10] [--json FILE] [--keep]
 *
 * `--json FILE` writes the p99s (targets: PostgreSQL <= 250 ms, Kafka <= 500 ms, each with its p50
 * as the in-run baseline) and the p50s for the combined summary.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { gs1CheckDigit } from '../../chaincode/src/traceability/gs1';
import { connectDevnet } from '../../network/src/connect-devnet';
import { devnetLedgerEnv } from '../../network/src/connection-files';
import { readDevnetInfo } from '../../network/src/devnet-info';
import type { LedgerClient } from '../../lib/fabric/src';
import { dropSchema } from '../../indexer/src/db/migrate';
import { createPool } from '../../indexer/src/db/pool';
import { outboxPositionTopic, topicNames } from '../../indexer/src/projection/outbox-messages';
import { peerProcess } from '../../network/src/devnet';
import { logDir } from '../../network/src/paths';
import { writeFigures, type BenchFigure } from '../summary';
import { benchDevnet, benchDevnetConfig, type BenchDevnet, benchKafka, benchPostgres, deleteBenchTopics, pct, seedSchemaAtTip } from './bench-env';

const cd = (b: string) => b + gs1CheckDigit(b);
const submitJson = (c: LedgerClient, fn: string, body: Record<string, unknown>) => c.submit({ contract: 'traceability', fn, args: [JSON.stringify(body)] });

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '60' },
      concurrency: { type: 'string', default: '16' },
      warmup: { type: 'string', default: '10' },
      json: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
  });
  const seconds = Number(values.seconds);
  const workers = Number(values.concurrency);
  const pg = benchPostgres();
  const kafka = benchKafka();
  let devnet: BenchDevnet | undefined;
  try {
    await pg.start();
    await kafka.start();
    devnet = await benchDevnet();
    const info = devnet.info;
    const client = await connectDevnet(info, 'SupplierMSP');
    const schema = 'bench_lag';
    const pool = createPool({ connectionString: pg.connectionString, schema, max: 2 });
    let indexer: ChildProcess | undefined;
    const run = randomUUID().slice(0, 6);
    try {
      // Master data and lots first, so the measured window holds transfers only.
      // Within the supplier's devnet GS1 company prefixes (7610, 7611).
      const stamp = String(Date.now()).slice(-8);
      const [a, b, gtin] = [cd(`7610${stamp}`), cd(`7611${stamp}`), cd(`07610${stamp}`)];
      await submitJson(client, 'RegisterLocation', { eventId: `l-${run}-a`, gln: a, type: 'roastery', name: 'A', address: { country: 'DE' } });
      await submitJson(client, 'RegisterLocation', { eventId: `l-${run}-b`, gln: b, type: 'supplier_site', name: 'B', address: { country: 'DE' } });
      await submitJson(client, 'RegisterProduct', { eventId: `p-${run}`, gtin, description: 'Beans', unit: 'KGM' });
      const lot = (w: number, g: number) => `LG-${run}-${w}-${g}`;
      await Promise.all(
        Array.from({ length: workers }, async (_, w) => {
          for (let g = 0; g < 4; g++)
            await submitJson(client, 'CommissionLot', { eventId: `c-${run}-${w}-${g}`, gln: a, gtin, lotCode: lot(w, g), quantity: '1000000' });
        }),
      );

      // Seed the schema at the tip: the indexer starts with the next block, verified against this one.
      await seedSchemaAtTip(pool, schema, client);

      // The indexer runs in its own process, as deployed: the load generator's event loop must not delay it.
      const stored = new Map<string, number>();
      const received = new Map<string, number>();
      indexer = spawn(process.execPath, [path.resolve(__dirname, '..', '..', 'indexer', 'src', 'cli.js'), 'run'], {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: {
          ...process.env,
          DATABASE_URL: pg.connectionString,
          INDEXER_SCHEMA: schema,
          KAFKA_BROKERS: kafka.brokers.join(','),
          INDEXER_TOPIC_PREFIX: `bench${run}`,
          ...devnetLedgerEnv(readDevnetInfo(benchDevnetConfig().runDir), 'AuditorMSP'),
          INDEXER_OWNER_ROLE: 'auditor',
          INDEXER_HTTP_PORT: '0',
          LOG_LEVEL: 'debug',
        },
      });
      let relayUp!: () => void;
      const relayConnected = new Promise<void>((resolve) => (relayUp = resolve));
      // pino's `time` of the "block stored" line: taken right after the block's PostgreSQL COMMIT.
      const relayRead: number[] = [];
      const relayKafka: number[] = [];
      createInterface({ input: indexer.stdout! }).on('line', (l) => {
        if (l.includes('outbox relay connected')) relayUp();
        if (l.includes('"outbox batch published"')) {
          const b = JSON.parse(l) as { readMs: number; kafkaMs: number };
          relayRead.push(b.readMs);
          relayKafka.push(b.kafkaMs);
          return;
        }
        const into = l.includes('"block stored"') ? stored : l.includes('"block received"') ? received : undefined;
        if (!into) return;
        const e = JSON.parse(l) as { time: number; blockNumber: string };
        into.set(e.blockNumber, e.time);
      });
      await Promise.race([
        relayConnected,
        new Promise((_, reject) => setTimeout(() => reject(new Error('the indexer did not connect to Kafka within 60 s')), 60_000)),
      ]);

      // Blocks of the measured window (the submitters' view) and where the peers' logs stand now.
      const committed = new Map<string, number>();
      const peerLogs = benchDevnetConfig().orgs.map((o) => path.join(logDir(benchDevnetConfig()), `${peerProcess(o)}.log`));
      const logOffsets = peerLogs.map((f) => fs.statSync(f).size);
      let done = 0;
      // Warm-up: the same load, not measured (the relay's first Kafka transactions set up its coordinator state).
      const measureFrom = Date.now() + Number(values.warmup) * 1000;
      const deadline = measureFrom + seconds * 1000;
      let t0 = Date.now();
      await Promise.all(
        Array.from({ length: workers }, async (_, w) => {
          for (let step = 0; Date.now() < deadline; step++) {
            const lines = [{ gtin, lotCode: lot(w, step % 4), quantity: '1' }];
            try {
              const started = Date.now();
              const r = await submitJson(client, 'TransferStock', { eventId: `t-${randomUUID()}`, fromGln: a, toGln: b, lines });
              if (started < measureFrom) continue;
              if (done === 0) t0 = started;
              const k = r.blockNumber.toString();
              if (!committed.has(k)) committed.set(k, Date.now());
              done++;
            } catch {
              /* counted as not committed */
            }
          }
        }),
      );
      console.log(
        `load: ${done} TransferStock in ${((Date.now() - t0) / 1000).toFixed(0)} s = ${(done / ((Date.now() - t0) / 1000)).toFixed(1)} tx/s, ${workers} submitters, ${committed.size} blocks`,
      );
      const last = [...committed.keys()].map(BigInt).reduce((x, y) => (x > y ? x : y));
      const wait = Date.now() + 60_000;
      for (;;) {
        const r = await pool.query('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL OR block_number <= $1', [last.toString()]);
        const pending = await pool.query('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL');
        if ((stored.has(last.toString()) && Number(pending.rows[0].n) === 0 && Number(r.rows[0].n) > 0) || Date.now() > wait) break;
        await new Promise((res) => setTimeout(res, 200));
      }
      const acked = new Map(
        (
          await pool.query<{ b: string; t: Date }>(
            'SELECT block_number::text AS b, max(published_at) AS t FROM outbox WHERE published_at IS NOT NULL GROUP BY block_number',
          )
        ).rows.map((r) => [r.b, r.t.getTime()]),
      );
      // Commit = the first peer's "Committed block [n]" log line (kvledger, millisecond UTC time).
      const perPeer = await peerCommits(peerLogs, logOffsets);
      const peerCommit = new Map<string, number>();
      for (const m of perPeer) for (const [blk, t] of m) if (!peerCommit.has(blk) || t < peerCommit.get(blk)!) peerCommit.set(blk, t);
      // The indexer reads blocks from the auditor's peer: where the lag is spent on the way.
      const own = perPeer[benchDevnetConfig().orgs.findIndex((o) => o.mspId === 'AuditorMSP')];
      const ownPeerLag: number[] = [];
      const deliverLag: number[] = [];
      const storeLag: number[] = [];
      const pgLag: number[] = [];
      const kLag: number[] = [];
      const relayLag: number[] = [];
      const seenLag: number[] = [];
      for (const [blk, seen] of committed) {
        const t = peerCommit.get(blk);
        if (t === undefined) continue;
        seenLag.push(seen - t);
        if (stored.has(blk)) pgLag.push(stored.get(blk)! - t);
        const o = own?.get(blk);
        const r = received.get(blk);
        if (o !== undefined) ownPeerLag.push(o - t);
        if (o !== undefined && r !== undefined) deliverLag.push(r - o);
        if (r !== undefined && stored.has(blk)) storeLag.push(stored.get(blk)! - r);
        if (acked.has(blk)) kLag.push(acked.get(blk)! - t);
        if (acked.has(blk) && stored.has(blk)) relayLag.push(acked.get(blk)! - stored.get(blk)!);
      }
      for (const v of [seenLag, pgLag, ownPeerLag, deliverLag, storeLag, relayLag, relayRead, relayKafka]) v.sort((x, y) => x - y);
      kLag.sort((x, y) => x - y);
      const show = (n: string, v: number[]) =>
        console.log(
          `${n.padEnd(30)} ${v.length} blocks  p50 ${pct(v, 50).toFixed(0)} ms  p99 ${pct(v, 99).toFixed(0)} ms  max ${v[v.length - 1]?.toFixed(0)} ms`,
        );
      show('commit -> PostgreSQL commit', pgLag);
      show('commit -> Kafka ack (outbox)', kLag);
      show('commit -> submitter saw it', seenLag);
      console.log('where the PostgreSQL lag is spent:');
      show("  first peer -> indexer's peer", ownPeerLag);
      show("  indexer's peer -> received", deliverLag);
      show('  received -> PostgreSQL commit', storeLag);
      console.log('where the Kafka lag is spent, after the PostgreSQL commit:');
      show('  PostgreSQL commit -> Kafka ack', relayLag);
      // Per relay batch (warm-up included): reading the rows, then the Kafka transaction (messages, position, commit).
      const batches = (n: string, v: number[]) =>
        console.log(
          `${n.padEnd(30)} ${v.length} batches  p50 ${pct(v, 50).toFixed(0)} ms  p99 ${pct(v, 99).toFixed(0)} ms  max ${v[v.length - 1]?.toFixed(0)} ms`,
        );
      batches('  relay: read outbox rows', relayRead);
      batches('  relay: Kafka transaction', relayKafka);
      console.log('commit = the first peer logged the block committed; 2 shared cores: figures vary with other load on the machine');
      const note = `${workers} TransferStock submitters, ${seconds} s, ${committed.size} blocks`;
      const fig = (sink: string, label: string, v: number[], target: number): BenchFigure[] => [
        {
          name: `indexer.lag.${sink}.p99`,
          label: `commit to ${label} p99`,
          value: pct(v, 99),
          unit: 'ms',
          target: { op: '<=', value: target },
          baseline: { label: 'p50 of the same run', value: pct(v, 50) },
          note,
        },
        { name: `indexer.lag.${sink}.p50`, label: `commit to ${label} p50`, value: pct(v, 50), unit: 'ms', note },
      ];
      writeFigures(values.json, 'indexer-lag', [...fig('pg', 'PostgreSQL commit', pgLag, 250), ...fig('kafka', 'Kafka ack', kLag, 500)]);
    } finally {
      if (indexer && indexer.exitCode === null) {
        indexer.kill('SIGTERM');
        await Promise.race([new Promise((r) => indexer!.once('exit', r)), new Promise((r) => setTimeout(r, 15_000))]);
        if (indexer.exitCode === null) indexer.kill('SIGKILL');
      }
      client.close();
      await dropSchema(pool, schema).catch(() => undefined);
      await pool.end().catch(() => undefined);
      await deleteBenchTopics(kafka.brokers, [...topicNames(`bench${run}`), outboxPositionTopic(`bench${run}`)]).catch(() => undefined);
    }
  } finally {
    await kafka.stop();
    await pg.stop();
    await devnet?.release(values.keep);
  }
}

/** "Committed block [n]" times of each peer's log (in the order given), read from the given offsets. */
async function peerCommits(files: string[], offsets: number[]): Promise<Array<Map<string, number>>> {
  const re = /(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) UTC .*Committed block \[(\d+)\]/;
  const out: Array<Map<string, number>> = [];
  for (let i = 0; i < files.length; i++) {
    const times = new Map<string, number>();
    const lines = createInterface({ input: fs.createReadStream(files[i], { start: offsets[i] }) });
    for await (const raw of lines) {
      const m = re.exec(raw.replace(/\x1b\[[0-9;]*m/g, ''));
      if (m) times.set(m[2], Date.parse(`${m[1].replace(' ', 'T')}Z`));
    }
    out.push(times);
  }
  return out;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
