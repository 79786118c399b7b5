/**
 * Block decoding cost: decodes the same raw blocks of the benchmark devnet's
 * ledger with the indexer's decoder and, as the baseline in the same run, with
 * fabric-common's full BlockDecoder (read/write sets and certificates
 * included), and prints tx/s of each and their ratio.
 *
 *   node dist/bench/indexer/decode-bench.js [--blocks 400] [--rounds 3] [--keep]
 */
import { parseArgs } from 'node:util';
import { decodeBlock } from '../../lib/fabric/src';
import { connectDevnet } from '../../network/src/connect-devnet';
import { referenceTransactions } from '../../test/fixtures/reference-block-decoder';
import { benchDevnet } from './bench-env';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { blocks: { type: 'string', default: '400' }, rounds: { type: 'string', default: '3' }, keep: { type: 'boolean', default: false } },
  });
  const devnet = await benchDevnet();
  const raws: Buffer[] = [];
  let first = 0n;
  let height = 0n;
  try {
    const client = await connectDevnet(devnet.info, 'AuditorMSP');
    height = await client.height();
    first = height > BigInt(values.blocks) ? height - BigInt(values.blocks) : 0n;
    for (let n = first; n < height; n++) raws.push((await client.blockByNumber(n)).raw);
    client.close();
  } finally {
    // Decoding needs no network: a devnet started for the read is stopped before timing.
    await devnet.release(values.keep);
  }
  const txs = raws.reduce((sum, r) => sum + decodeBlock(r).transactions.length, 0);
  console.log(`${raws.length} blocks (${first}..${height - 1n}), ${txs} transactions, ${(raws.reduce((s, r) => s + r.length, 0) / 1e6).toFixed(1)} MB`);
  const time = (fn: (raw: Buffer) => unknown) => {
    let best = Infinity;
    for (let round = 0; round < Number(values.rounds); round++) {
      const t0 = process.hrtime.bigint();
      for (const r of raws) fn(r);
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
    }
    return txs / best;
  };
  const full = time(referenceTransactions);
  const lean = time(decodeBlock);
  console.log(`fabric-common BlockDecoder (baseline) ${full.toFixed(0).padStart(8)} tx/s`);
  console.log(`indexer decoder                       ${lean.toFixed(0).padStart(8)} tx/s   ${(lean / full).toFixed(1)}x`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
