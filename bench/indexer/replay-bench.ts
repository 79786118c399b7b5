/**
 * Replay throughput: replays the ledger of a running devnet from block 0 into
 * a fresh schema and prints blocks/s and transactions/s, then a second pass of
 * the same blocks from memory (no peer round trips) as the PostgreSQL-only figure.
 *
 *   DATABASE_URL=postgres://… FABRIC_PORT_BASE=47000 INDEXER_DEVNET_DIR=network/run/test-47000 \
 *     node dist/bench/indexer/replay-bench.js
 */
import type { LedgerBlock } from '../../gateway/src/ledger/block-decoder';
import { connectDevnet } from '../../gateway/src/ledger/connect-devnet';
import { readDevnetInfo } from '../../network/src/devnet-info';
import { loadIndexerConfig } from '../../indexer/src/config';
import { dropSchema, migrate } from '../../indexer/src/db/migrate';
import { createPool } from '../../indexer/src/db/pool';
import { createBlockProjector } from '../../indexer/src/projection/project-block';

async function main(): Promise<void> {
  const config = loadIndexerConfig();
  if (!config.databaseUrl) throw new Error('set DATABASE_URL');
  const ledger = await connectDevnet(readDevnetInfo(config.runDir), config.mspId);
  const height = await ledger.height();
  const fetched: LedgerBlock[] = [];
  for (const schema of ['bench_replay_net', 'bench_replay_mem']) {
    const pool = createPool({ connectionString: config.databaseUrl, schema });
    await dropSchema(pool, schema);
    await migrate(pool, schema);
    const projector = createBlockProjector({ pool, topicPrefix: 'bench' });
    const t0 = process.hrtime.bigint();
    let txs = 0;
    if (schema === 'bench_replay_net') {
      // Read ahead like `rebuild` does: the peer round trip dominates.
      const window = new Map<bigint, Promise<LedgerBlock>>();
      for (let n = 0n; n < height; n++) {
        for (let k = n; k < height && k < n + 16n; k++) if (!window.has(k)) window.set(k, ledger.blockByNumber(k));
        const b = await window.get(n)!;
        window.delete(n);
        fetched.push(b);
        txs += (await projector.apply(b)).transactions;
      }
    } else {
      for (const b of fetched) txs += (await projector.apply(b)).transactions;
    }
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`${schema}: ${height} blocks, ${txs} transactions in ${s.toFixed(2)} s = ${(Number(height) / s).toFixed(0)} blocks/s, ${(txs / s).toFixed(0)} tx/s`);
    await dropSchema(pool, schema);
    await pool.end();
  }
  ledger.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
