/**
 * Replay throughput: replays the ledger of the benchmark devnet from block 0
 * into fresh schemas through the indexer's real block source, and prints
 * blocks/s and tx/s for
 *   rebuild:  the rebuild path: blocks pushed over the peer's Deliver stream, up to
 *             `--batch` blocks per PostgreSQL transaction, secondary indexes built after
 *             the load (included in the time), asynchronous commit
 *   live:     the live indexer's block source over the Deliver stream, same batches
 *   baseline: the live block source reading blocks by number through the query system
 *             chaincode, `--read-ahead` in flight, same batches
 * in the same process, and their ratios. With `--memory` it then replays the
 * same blocks from memory (no peer round trips): live at batch 1 and at
 * `--batch`, and bulk: the PostgreSQL-only figures.
 *
 *   node dist/bench/indexer/build-ledger.js ...      # first: a ledger on port base 44000
 *   node dist/bench/indexer/replay-bench.js [--batch 200] [--read-ahead 32] [--no-baseline] [--memory | --memory-only] [--blocks N] [--keep]
 *
 * PostgreSQL: DATABASE_URL, else a local server on port base + 700 (44700), started and stopped here.
 * The bench devnet is started on the ledger on disk if it is not running, and then stopped again unless `--keep`.
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { LedgerBlock } from '../../ledger/src';
import { connectDevnet } from '../../network/src/connect-devnet';
import type { BlockStreamOptions, LedgerClient } from '../../ledger/src';
import { type readDevnetInfo } from '../../network/src/devnet-info';
import { dropSchema, migrate } from '../../indexer/src/db/migrate';
import { deferIndexes, restoreIndexes } from '../../indexer/src/db/bulk-load';
import { createPool } from '../../indexer/src/db/pool';
import { replayBlocks } from '../../indexer/src/ops/replay';
import { createBlockProjector } from '../../indexer/src/projection/project-block';
import { createBlockSource } from '../../indexer/src/source/block-source';
import { benchDevnet, benchPostgres, type BenchDevnet } from './bench-env';

interface Figures {
  name: string;
  blocks: number;
  txs: number;
  seconds: number;
}

const line = (f: Figures) =>
  `${f.name.padEnd(34)} ${String(f.blocks).padStart(7)} blocks ${String(f.txs).padStart(8)} tx ${f.seconds.toFixed(2).padStart(8)} s ` +
  `${(f.blocks / f.seconds).toFixed(0).padStart(7)} blocks/s ${(f.txs / f.seconds).toFixed(0).padStart(7)} tx/s`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      batch: { type: 'string', default: '200' },
      'read-ahead': { type: 'string', default: '32' },
      'no-baseline': { type: 'boolean', default: false },
      memory: { type: 'boolean', default: false },
      'memory-only': { type: 'boolean', default: false },
      blocks: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
  });
  const batch = Number(values.batch);
  const readAhead = Number(values['read-ahead']);
  const pg = process.env.DATABASE_URL ? undefined : benchPostgres();
  let devnet: BenchDevnet | undefined;
  try {
    await pg?.start();
    const url = process.env.DATABASE_URL ?? pg!.connectionString;
    devnet = await benchDevnet();
    const info = devnet.info;
    const probe = await connectDevnet(info, 'AuditorMSP');
    const ledgerHeight = await probe.height();
    // --blocks N: only the first N blocks (a quicker run, or a profile).
    const height = values.blocks && BigInt(values.blocks) < ledgerHeight ? BigInt(values.blocks) : ledgerHeight;
    probe.close();
    console.log(`ledger of the bench devnet: ${ledgerHeight} blocks, replaying ${height}; 2 shared cores: figures vary with other load on the machine`);
    const log = pino({ level: 'warn' });
    const results: Figures[] = [];

    /**
     * Replays blocks 0..height-1 into a fresh schema. `bulk`: the rebuild path
     * (replayBlocks, indexes built after the load, asynchronous commit; the time
     * includes building the indexes); otherwise the live indexer's block source.
     */
    async function replay(
      name: string,
      opts: { batch: number; readAhead: number; transport?: 'deliver' | 'query'; from?: LedgerBlock[]; bulk?: boolean },
    ): Promise<Figures> {
      const schema = `bench_replay_${results.length}`;
      const pool = createPool({ connectionString: url, schema, synchronousCommit: !opts.bulk });
      await dropSchema(pool, schema);
      await migrate(pool, schema);
      const projector = createBlockProjector({ pool, topicPrefix: 'bench' });
      const connect = async (): Promise<LedgerClient> => {
        if (opts.from) return memoryClient(opts.from);
        const c = await connectDevnet(info, 'AuditorMSP');
        return { ...c, blocks: (o) => c.blocks({ ...o, readAhead: opts.readAhead, transport: opts.transport }) };
      };
      let txs = 0;
      const t0 = process.hrtime.bigint();
      if (opts.bulk) {
        const deferred = await deferIndexes(pool);
        const client = await connect();
        try {
          txs = await replayBlocks(pool, client, projector, 0n, height - 1n, opts.readAhead, opts.batch);
        } finally {
          client.close();
        }
        await restoreIndexes(pool, deferred);
      } else {
        const source = createBlockSource({
          pool,
          projector,
          connect,
          log,
          pollMs: 1000,
          retryDelayMs: 1000,
          stopAfter: height - 1n,
          batchBlocks: opts.batch,
          onBlock: (s) => {
            txs += s.transactions;
          },
        });
        source.start();
        await source.done;
      }
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      await dropSchema(pool, schema);
      await pool.end();
      const f = { name, blocks: Number(height), txs, seconds };
      results.push(f);
      console.log(line(f));
      return f;
    }

    const peer = !values['memory-only'];
    const ratio = (a: Figures, b: Figures) => (a.txs / a.seconds / (b.txs / b.seconds)).toFixed(1);
    if (peer) {
      const bulk = await replay(`rebuild: block stream, bulk, batch ${batch}`, { batch, readAhead, transport: 'deliver', bulk: true });
      const live = await replay(`live: block stream, batch ${batch}`, { batch, readAhead, transport: 'deliver' });
      if (!values['no-baseline']) {
        const base = await replay(`baseline: queries (${readAhead} ahead), batch ${batch}`, { batch, readAhead, transport: 'query' });
        console.log(`ratio rebuild/baseline ${ratio(bulk, base)}x, live/baseline ${ratio(live, base)}x tx/s`);
      }
    }
    if (values.memory || values['memory-only']) {
      const blocks = await readAll(info, height, readAhead);
      const m1 = await replay('memory, live, batch 1 (PostgreSQL only)', { batch: 1, readAhead, from: blocks });
      const mb = await replay(`memory, live, batch ${batch} (PostgreSQL only)`, { batch, readAhead, from: blocks });
      const mk = await replay(`memory, bulk, batch ${batch} (PostgreSQL only)`, { batch, readAhead, from: blocks, bulk: true });
      console.log(`ratio PostgreSQL live batch ${batch}/batch 1: ${ratio(mb, m1)}x, bulk/live batch ${batch}: ${ratio(mk, mb)}x tx/s`);
    }
  } finally {
    await pg?.stop();
    await devnet?.release(values.keep);
  }
}

/** Every block of the ledger, read once with read-ahead. */
async function readAll(info: ReturnType<typeof readDevnetInfo>, height: bigint, readAhead: number): Promise<LedgerBlock[]> {
  const c = await connectDevnet(info, 'AuditorMSP');
  const out: LedgerBlock[] = [];
  const abort = new AbortController();
  for await (const b of c.blocks({ startBlock: 0n, signal: abort.signal, readAhead })) {
    // The raw bytes are not needed to store a block; dropping them keeps a large ledger in memory.
    out.push({ ...b, raw: Buffer.alloc(0) });
    if (b.number >= height - 1n) break;
  }
  c.close();
  return out;
}

/** A LedgerClient serving blocks from memory (only what the block source uses). */
function memoryClient(blocks: LedgerBlock[]): LedgerClient {
  const height = BigInt(blocks.length);
  return {
    mspId: 'memory',
    height: async () => height,
    async *blocks(o: BlockStreamOptions) {
      for (let n = o.startBlock; n < height; n++) yield blocks[Number(n)];
    },
    close: () => undefined,
  } as unknown as LedgerClient;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
