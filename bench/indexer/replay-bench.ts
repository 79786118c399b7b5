/**
 * Replay throughput on the ledger of the benchmark devnet, blocks 0..N-1, in
 * one process and one run:
 *   stream:   the baseline: the peer's Deliver stream alone, every block decoded by the
 *             indexer's decoder and discarded (the same stream and decoder the rebuild reads)
 *   rebuild:  `indexer rebuild`'s load (`bulkReplay`): the same stream into a fresh schema,
 *             secondary indexes dropped before and built after the load (included in the
 *             time), asynchronous commit
 * and the ratio rebuild/stream of blocks/s (target >= 0.8). `--rounds R` repeats the pair
 * (stream first, so both read a peer with warm caches) and reports the best of each.
 * `--live` adds the live indexer's block source over the same stream; `--memory` replays
 * the same blocks from memory (no peer): the PostgreSQL-only figures.
 *
 *   node dist/bench/indexer/build-ledger.js ...      # first: a ledger on the bench devnet
 *   node dist/bench/indexer/replay-bench.js [--blocks N] [--rounds 1] [--live] [--memory] [--json FILE] [--keep]
 *
 * PostgreSQL: DATABASE_URL, else a local server on port base + 700, started and stopped here.
 * The bench devnet is started on the ledger on disk if it is not running, and then stopped again unless `--keep`.
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { BlockStreamOptions, LedgerBlock, LedgerClient } from '../../lib/fabric/src';
import { connectDevnet } from '../../network/src/connect-devnet';
import type { DevnetInfo } from '../../network/src/devnet-info';
import { dropSchema, migrate } from '../../indexer/src/db/migrate';
import { createPool } from '../../indexer/src/db/pool';
import { bulkReplay } from '../../indexer/src/ops/rebuild';
import { createBlockProjector } from '../../indexer/src/projection/project-block';
import { createBlockSource } from '../../indexer/src/source/block-source';
import { writeFigures } from '../summary';
import { benchDevnet, benchPostgres, type BenchDevnet } from './bench-env';

interface Figures {
  name: string;
  blocks: number;
  txs: number;
  seconds: number;
}

const bps = (f: Figures) => f.blocks / f.seconds;
const tps = (f: Figures) => f.txs / f.seconds;
const line = (f: Figures) =>
  `${f.name.padEnd(40)} ${String(f.blocks).padStart(7)} blocks ${String(f.txs).padStart(8)} tx ${f.seconds.toFixed(2).padStart(8)} s ` +
  `${bps(f).toFixed(0).padStart(7)} blocks/s ${tps(f).toFixed(0).padStart(7)} tx/s`;
const best = (fs: Figures[]) => fs.reduce((a, b) => (bps(b) > bps(a) ? b : a));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      blocks: { type: 'string' },
      rounds: { type: 'string', default: '1' },
      live: { type: 'boolean', default: false },
      memory: { type: 'boolean', default: false },
      json: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
  });
  const rounds = Math.max(1, Number(values.rounds));
  const pg = process.env.DATABASE_URL ? undefined : benchPostgres();
  let devnet: BenchDevnet | undefined;
  try {
    await pg?.start();
    const url = process.env.DATABASE_URL ?? pg!.connectionString;
    devnet = await benchDevnet();
    const info = devnet.info;
    const probe = await connectDevnet(info, 'AuditorMSP');
    const ledgerHeight = await probe.height();
    probe.close();
    // --blocks N: only the first N blocks (a quicker run, or a profile).
    const height = values.blocks && BigInt(values.blocks) < ledgerHeight ? BigInt(values.blocks) : ledgerHeight;
    console.log(`ledger of the bench devnet: ${ledgerHeight} blocks, replaying ${height}; 2 shared cores: figures vary with other load on the machine`);
    const connect = () => connectDevnet(info, 'AuditorMSP');

    /** The baseline: the Deliver stream read and decoded as the rebuild reads it, nothing written. */
    async function stream(name: string): Promise<Figures> {
      const client = await connect();
      const stop = new AbortController();
      let txs = 0;
      const t0 = process.hrtime.bigint();
      try {
        for await (const block of client.blocks({ startBlock: 0n, signal: stop.signal })) {
          txs += block.transactions.length;
          if (block.number >= height - 1n) break;
        }
      } finally {
        stop.abort();
        client.close();
      }
      return report({ name, blocks: Number(height), txs, seconds: Number(process.hrtime.bigint() - t0) / 1e9 });
    }

    /** Blocks 0..height-1 into a fresh schema: the rebuild's load, or (`live`) the live indexer's block source. */
    async function replay(name: string, mode: 'rebuild' | 'live', from?: LedgerBlock[]): Promise<Figures> {
      const schema = `bench_replay_${mode}`;
      const pool = createPool({ connectionString: url, schema, synchronousCommit: mode === 'live' });
      await dropSchema(pool, schema);
      await migrate(pool, schema);
      const projector = createBlockProjector({ pool, topicPrefix: 'bench', bulk: mode === 'rebuild' });
      const open = async (): Promise<LedgerClient> => (from ? memoryClient(from) : connect());
      let txs = 0;
      const t0 = process.hrtime.bigint();
      if (mode === 'rebuild') {
        const client = await open();
        try {
          txs = (await bulkReplay(pool, client, projector, height - 1n)).transactions;
        } finally {
          client.close();
        }
      } else {
        const source = createBlockSource({
          pool,
          projector,
          connect: open,
          log: pino({ level: 'warn' }),
          pollMs: 1000,
          retryDelayMs: 1000,
          stopAfter: height - 1n,
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
      return report({ name, blocks: Number(height), txs, seconds });
    }

    const streams: Figures[] = [];
    const rebuilds: Figures[] = [];
    for (let r = 1; r <= rounds; r++) {
      const tag = rounds > 1 ? ` (round ${r})` : '';
      streams.push(await stream(`stream: Deliver, decoded, discarded${tag}`));
      rebuilds.push(await replay(`rebuild: Deliver into a fresh schema${tag}`, 'rebuild'));
    }
    const s = best(streams);
    const b = best(rebuilds);
    const ratio = bps(b) / bps(s);
    console.log(`ratio rebuild/stream ${ratio.toFixed(2)} (blocks/s; target >= 0.80)`);
    if (values.live) await replay('live: block source over Deliver', 'live');
    if (values.memory) {
      const blocks = await readAll(info, height);
      const mr = await replay('memory: rebuild (PostgreSQL only)', 'rebuild', blocks);
      const ml = await replay('memory: live block source (PostgreSQL only)', 'live', blocks);
      console.log(`memory rebuild/stream ${(bps(mr) / bps(s)).toFixed(2)}, live/stream ${(bps(ml) / bps(s)).toFixed(2)} (blocks/s)`);
    }
    const note = `${height} blocks, ${s.txs} tx${rounds > 1 ? `, best of ${rounds} rounds` : ''}`;
    const stream0 = { label: 'Deliver stream alone, decoded and discarded' };
    writeFigures(values.json, 'indexer-replay', [
      {
        name: 'indexer.rebuild.blocksps',
        label: 'indexer rebuild blocks/s (0..N, indexes built after the load included)',
        value: bps(b),
        unit: 'blocks/s',
        target: { op: '>=', value: 0.8 * bps(s) },
        baseline: { ...stream0, value: bps(s) },
        note: `${note}; target 0.8 x the stream's blocks/s`,
      },
      {
        name: 'indexer.rebuild.ratio',
        label: 'indexer rebuild / Deliver stream, blocks/s',
        value: ratio,
        unit: 'x',
        target: { op: '>=', value: 0.8 },
        note,
      },
      {
        name: 'indexer.rebuild.txps',
        label: 'indexer rebuild tx/s',
        value: tps(b),
        unit: 'tx/s',
        baseline: { ...stream0, value: tps(s) },
        note,
      },
    ]);
  } finally {
    await pg?.stop();
    await devnet?.release(values.keep);
  }
}

function report(f: Figures): Figures {
  console.log(line(f));
  return f;
}

/** Every block of 0..height-1, read once. */
async function readAll(info: DevnetInfo, height: bigint): Promise<LedgerBlock[]> {
  const c = await connectDevnet(info, 'AuditorMSP');
  const out: LedgerBlock[] = [];
  const abort = new AbortController();
  for await (const b of c.blocks({ startBlock: 0n, signal: abort.signal })) {
    // Only a config block's projection reads its raw bytes; dropping the others keeps a large ledger in memory.
    out.push(b.transactions.some((t) => t.type === 'CONFIG') ? b : { ...b, raw: Buffer.alloc(0) });
    if (b.number >= height - 1n) break;
  }
  abort.abort();
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
