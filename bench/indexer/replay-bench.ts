/**
 * Replay throughput: replays the ledger of the benchmark devnet from block 0
 * into fresh schemas through the indexer's real block source, and prints
 * blocks/s and tx/s for
 *   block stream: blocks pushed over the peer's Deliver stream, up to `--batch` blocks per PostgreSQL transaction
 *   baseline:     blocks read by number through the query system chaincode, `--read-ahead` in flight, same batches
 * in the same process, and their ratio. With `--memory` it then replays the
 * same blocks from memory (no peer round trips) at batch 1 and at `--batch`:
 * the PostgreSQL-only figures.
 *
 *   node dist/bench/indexer/build-ledger.js ...      # first: a ledger on port base 44000
 *   node dist/bench/indexer/replay-bench.js [--batch 200] [--read-ahead 32] [--no-baseline] [--memory | --memory-only]
 *
 * PostgreSQL: DATABASE_URL, else a local server on port base + 700 (44700), started and stopped here.
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { LedgerBlock } from '../../gateway/src/ledger/block-decoder';
import { connectDevnet } from '../../gateway/src/ledger/connect-devnet';
import type { BlockStreamOptions, LedgerClient } from '../../gateway/src/ledger/ledger-client';
import { readDevnetInfo } from '../../network/src/devnet-info';
import { dropSchema, migrate } from '../../indexer/src/db/migrate';
import { createPool } from '../../indexer/src/db/pool';
import { createBlockProjector } from '../../indexer/src/projection/project-block';
import { createBlockSource } from '../../indexer/src/source/block-source';
import { benchDevnetConfig, benchPostgres } from './bench-env';

interface Figures { name: string; blocks: number; txs: number; seconds: number }

const line = (f: Figures) =>
  `${f.name.padEnd(34)} ${String(f.blocks).padStart(7)} blocks ${String(f.txs).padStart(8)} tx ${f.seconds.toFixed(2).padStart(8)} s ` +
  `${(f.blocks / f.seconds).toFixed(0).padStart(7)} blocks/s ${(f.txs / f.seconds).toFixed(0).padStart(7)} tx/s`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      batch: { type: 'string', default: '200' }, 'read-ahead': { type: 'string', default: '32' },
      'no-baseline': { type: 'boolean', default: false }, memory: { type: 'boolean', default: false }, 'memory-only': { type: 'boolean', default: false },
    },
  });
  const batch = Number(values.batch);
  const readAhead = Number(values['read-ahead']);
  const pg = process.env.DATABASE_URL ? undefined : benchPostgres();
  await pg?.start();
  const url = process.env.DATABASE_URL ?? pg!.connectionString;
  const info = readDevnetInfo(benchDevnetConfig().runDir);
  const probe = await connectDevnet(info, 'AuditorMSP');
  const height = await probe.height();
  probe.close();
  console.log(`ledger of the bench devnet: ${height} blocks; 2 shared cores: figures vary with other load on the machine`);
  const log = pino({ level: 'warn' });
  const results: Figures[] = [];

  async function replay(name: string, opts: { batch: number; readAhead: number; transport?: 'deliver' | 'query'; from?: LedgerBlock[] }): Promise<Figures> {
    const schema = `bench_replay_${results.length}`;
    const pool = createPool({ connectionString: url, schema });
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
    const source = createBlockSource({
      pool, projector, connect, log, pollMs: 1000, retryDelayMs: 1000, stopAfter: height - 1n, batchBlocks: opts.batch,
      onBlock: (s) => { txs += s.transactions; },
    });
    source.start();
    await source.done;
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    await dropSchema(pool, schema);
    await pool.end();
    const f = { name, blocks: Number(height), txs, seconds };
    results.push(f);
    console.log(line(f));
    return f;
  }

  const peer = !values['memory-only'];
  const fast = peer ? await replay(`peer block stream, batch ${batch}`, { batch, readAhead, transport: 'deliver' }) : undefined;
  if (fast && !values['no-baseline']) {
    const base = await replay(`peer queries, read-ahead ${readAhead}, batch ${batch}`, { batch, readAhead, transport: 'query' });
    console.log(`ratio block stream/queries: ${(fast.txs / fast.seconds / (base.txs / base.seconds)).toFixed(1)}x tx/s`);
  }
  if (values.memory || values['memory-only']) {
    const blocks = await readAll(info, height, readAhead);
    const m1 = await replay('memory, batch 1 (PostgreSQL only)', { batch: 1, readAhead, from: blocks });
    const mb = await replay(`memory, batch ${batch} (PostgreSQL only)`, { batch, readAhead, from: blocks });
    console.log(`ratio PostgreSQL batch ${batch}/batch 1: ${(mb.txs / mb.seconds / (m1.txs / m1.seconds)).toFixed(1)}x tx/s`);
  }
  await pg?.stop();
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
