/**
 * Builds a large ledger on the benchmark devnet (port base 44000) with real
 * chaincode transactions: each worker owns `--groups` groups of `--lines` lots
 * and moves one unit of each lot of a group from location A to B with one
 * TransferStock per step (2 movements per line), cycling through its groups.
 * Workers never touch each other's keys, and a worker's consecutive
 * transactions touch different keys, so a peer a block behind neither
 * endorses differently nor causes MVCC conflicts; a failed or timed-out submit
 * never leaves a worker out of step. Stops at
 * `--transactions` transfers, after `--minutes`, or (`--blocks N`) once the
 * ledger holds N blocks; with `--blocks` a ledger that already does is left
 * as it is, so a combined run builds it once. A devnet it started is
 * stopped at the end (its ledger stays on disk for replay-bench / lag-bench,
 * which start it again) unless `--keep`; one already running is left running.
 *
 *   node dist/bench/indexer/build-ledger.js [--transactions 100000] [--blocks N] [--lines 5] [--concurrency 96] [--minutes 15] [--keep]
 *   node dist/bench/indexer/build-ledger.js --down     # stop (and wipe with --wipe) the bench devnet
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { gs1CheckDigit } from '../../chaincode/src/traceability/gs1';
import { connectDevnet } from '../../network/src/connect-devnet';
import { type LedgerClient } from '../../lib/fabric/src';
import { withRetry } from '../../lib/platform/src';
import { benchDevnet, benchDevnetDown, BENCH_PORT_BASE } from './bench-env';

const withCheckDigit = (body: string) => body + gs1CheckDigit(body);
const submitJson = (c: LedgerClient, fn: string, body: Record<string, unknown>) => c.submit({ contract: 'traceability', fn, args: [JSON.stringify(body)] });

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      transactions: { type: 'string', default: '100000' },
      blocks: { type: 'string' },
      lines: { type: 'string', default: '5' },
      concurrency: { type: 'string', default: '96' },
      minutes: { type: 'string', default: '15' },
      clients: { type: 'string', default: '1' },
      groups: { type: 'string', default: '4' },
      down: { type: 'boolean', default: false },
      wipe: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  });
  if (values.down) {
    console.log(`stopped: ${(await benchDevnetDown(values.wipe)).join(', ') || 'nothing'}`);
    return;
  }
  const target = Number(values.transactions);
  const lines = Number(values.lines);
  const workers = Number(values.concurrency);
  const groups = Number(values.groups);
  const deadline = Date.now() + Number(values.minutes) * 60_000;
  const devnet = await benchDevnet((m) => console.log(`  [devnet ${BENCH_PORT_BASE}] ${m}`));
  const info = devnet.info;
  try {
    const wantBlocks = values.blocks === undefined ? undefined : BigInt(values.blocks);
    if (wantBlocks !== undefined) {
      const probe = await connectDevnet(info, 'SupplierMSP');
      const h = await probe.height();
      probe.close();
      if (h >= wantBlocks) {
        console.log(`the ledger already holds ${h} blocks (>= ${wantBlocks}): nothing to build`);
        return;
      }
    }
    const clients = await Promise.all(Array.from({ length: Number(values.clients) }, () => connectDevnet(info, 'SupplierMSP')));
    const run = randomUUID().slice(0, 6);
    const a = withCheckDigit(`76${String(Date.now()).slice(-10)}`);
    const b = withCheckDigit(`77${String(Date.now()).slice(-10)}`);
    const gtin = withCheckDigit(`0761${String(Date.now()).slice(-9)}`);
    const c0 = clients[0];
    await Promise.all([
      submitJson(c0, 'RegisterLocation', { eventId: `loc-${run}-a`, gln: a, type: 'roastery', name: 'A', address: { country: 'DE' } }),
      submitJson(c0, 'RegisterLocation', { eventId: `loc-${run}-b`, gln: b, type: 'supplier_site', name: 'B', address: { country: 'DE' } }),
      submitJson(c0, 'RegisterProduct', { eventId: `prod-${run}`, gtin, description: 'Roasted beans', unit: 'KGM' }),
    ]);
    const lot = (w: number, g: number, i: number) => `L-${run}-${w}-${g}-${i}`;
    const t0 = Date.now();
    let commissioned = 0;
    await Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        const c = clients[w % clients.length];
        for (let i = 0; i < lines * groups; i++) {
          // Same eventId on retry: a repeat of a commission that did commit is harmless.
          await withRetry(
            () =>
              submitJson(c, 'CommissionLot', {
                eventId: `com-${run}-${w}-${i}`,
                gln: a,
                gtin,
                lotCode: lot(w, Math.floor(i / lines), i % lines),
                quantity: '1000000',
              }),
            { attempts: 4, baseDelayMs: 100 },
          );
          commissioned++;
        }
      }),
    );
    console.log(`commissioned ${commissioned} lots in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    let done = 0;
    let failed = 0;
    let enough = false;
    const t1 = Date.now();
    const heightCheck =
      wantBlocks === undefined
        ? undefined
        : setInterval(() => {
            c0.height().then(
              (h) => {
                enough ||= h >= wantBlocks;
              },
              () => undefined,
            );
          }, 2000);
    const progress = setInterval(() => {
      const s = (Date.now() - t1) / 1000;
      console.log(`  ${done} transfers (${done * lines * 2} movements), ${failed} failed, ${(done / s).toFixed(0)} tx/s after ${s.toFixed(0)} s`);
    }, 30_000);
    await Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        const c = clients[w % clients.length];
        for (let step = 0; done + failed < target && Date.now() < deadline && !enough; step++) {
          const g = step % groups;
          const body = {
            eventId: `tr-${randomUUID()}`,
            fromGln: a,
            toGln: b,
            lines: Array.from({ length: lines }, (_, i) => ({ gtin, lotCode: lot(w, g, i), quantity: '1' })),
          };
          try {
            await submitJson(c, 'TransferStock', body);
            done++;
          } catch (err) {
            failed++;
            if (failed <= 3) console.log(`  transfer failed: ${(err as Error).message.split('\n')[0]}`);
          }
        }
      }),
    );
    clearInterval(progress);
    clearInterval(heightCheck);
    const s = (Date.now() - t1) / 1000;
    const height = await c0.height();
    console.log(
      `built: ${done} TransferStock transactions with ${lines} lines (${done * lines * 2} movements), ${failed} failed, in ${s.toFixed(0)} s = ${(done / s).toFixed(0)} tx/s; ledger height ${height} blocks`,
    );
    clients.forEach((c) => c.close());
  } finally {
    // The ledger stays on disk: replay-bench and lag-bench start the devnet on it again.
    await devnet.release(values.keep);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
