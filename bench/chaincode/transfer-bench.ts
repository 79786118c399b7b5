/**
 * Benchmark: committed TransferStock transactions per second and submit-to-commit
 * latency on a devnet with MAJORITY endorsement, at several concurrencies, against
 * the minimal probe transaction run the same way in the same process.
 *
 *   npm run bench:chaincode [-- --count 600 --concurrency 1,16,64] [--suppliers N --orderers 1|3]
 *
 * --suppliers and --orderers choose the devnet's topology (docs/consortium-operations.md);
 * the default is the 3-organisation, 1-orderer devnet.
 * Runs its own devnet (port base BENCH_PORT_BASE, default 37000) and removes it afterwards.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { gs1CheckDigit } from '../../chaincode/src/traceability/gs1';
import { connectDevnet } from '../../network/src/connect-devnet';
import type { LedgerClient } from '../../ledger/src';
import { loadDevnetConfig } from '../../network/src/config';
import { devnetDown, devnetUp } from '../../network/src/devnet';
import { parseTopology } from '../../network/src/topology';
import { runLoad, type RunFigures } from './stats';

const withCheckDigit = (body: string) => body + gs1CheckDigit(body);

async function submitJson(client: LedgerClient, fn: string, body: Record<string, unknown>): Promise<void> {
  await client.submit({ contract: 'traceability', fn, args: [JSON.stringify(body)] });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '600' },
      concurrency: { type: 'string', default: '1,16,64' },
      keep: { type: 'boolean', default: false },
      suppliers: { type: 'string', default: '1' },
      orderers: { type: 'string', default: '1' },
    },
  });
  const count = Number(values.count);
  const levels = values.concurrency.split(',').map(Number);
  const portBase = Number(process.env.BENCH_PORT_BASE ?? 37000);
  const base = loadDevnetConfig({ portBase });
  const topology = parseTopology({ suppliers: values.suppliers, orderers: values.orderers });
  const cfg = loadDevnetConfig({ portBase, runDir: path.join(base.root, 'network', 'run', `bench-${portBase}`), topology });
  await devnetDown(cfg, { wipe: true }, () => undefined);
  console.log(`devnet on port base ${portBase}: ${cfg.orgs.length} organisations, ${cfg.orderers.length} orderer(s)...`);
  const info = await devnetUp(cfg, () => undefined);
  const client = await connectDevnet(info, 'SupplierMSP');
  try {
    // One lot per worker, so concurrent transfers never touch the same stock keys.
    const workers = Math.max(...levels);
    const run = randomUUID().slice(0, 6);
    const from = withCheckDigit('761000000001');
    const to = withCheckDigit('761000000002');
    const gtin = withCheckDigit('0761000000010');
    for (const [gln, type] of [
      [from, 'roastery'],
      [to, 'supplier_site'],
    ] as const) {
      await submitJson(client, 'RegisterLocation', { eventId: `loc-${run}-${gln}`, gln, type, name: type, address: { country: 'DE' } });
    }
    await submitJson(client, 'RegisterProduct', { eventId: `prod-${run}`, gtin, description: 'Roasted beans', unit: 'KGM' });
    await runLoad(workers, 16, async (_, w) =>
      submitJson(client, 'CommissionLot', { eventId: `com-${run}-${w}`, gln: from, gtin, lotCode: `B-${run}-${w}`, quantity: '1000000' }),
    );

    const rows: Array<{ name: string; concurrency: number } & RunFigures> = [];
    for (const c of levels) {
      const n = c === 1 ? Math.min(count, 60) : count;
      const probe = await runLoad(n, c, async (_, i) => {
        await client.submit({ contract: 'probe', fn: 'Put', args: [`bench-${run}-${c}-${i}`, 'x'] });
      });
      const transfer = await runLoad(n, c, async (w) =>
        submitJson(client, 'TransferStock', {
          eventId: `tr-${randomUUID()}`,
          fromGln: from,
          toGln: to,
          lines: [{ gtin, lotCode: `B-${run}-${w}`, quantity: '1' }],
        }),
      );
      for (const [name, r] of [
        ['probe:Put', probe],
        ['TransferStock', transfer],
      ] as const) {
        rows.push({ name, concurrency: c, ...r });
        if (r.errors.length) console.log(`  ${name} c=${c}: ${r.errors.length} failed, e.g. ${r.errors[0]}`);
      }
    }

    console.log('\ntransaction      conc  committed  failed  tx/s     p50 ms   p99 ms');
    for (const r of rows) {
      console.log(
        `${r.name.padEnd(16)} ${String(r.concurrency).padStart(4)} ${String(r.count).padStart(10)} ${String(r.failed).padStart(7)}  ${r.perSecond.toFixed(1).padStart(7)}  ${r.p50.toFixed(0).padStart(7)}  ${r.p99.toFixed(0).padStart(7)}`,
      );
    }
    console.log('\nTransferStock / probe:Put (throughput ratio, p99 ratio):');
    for (const c of levels) {
      const p = rows.find((r) => r.name === 'probe:Put' && r.concurrency === c)!;
      const t = rows.find((r) => r.name === 'TransferStock' && r.concurrency === c)!;
      console.log(`  concurrency ${String(c).padStart(2)}: ${(t.perSecond / p.perSecond).toFixed(2)}x throughput, ${(t.p99 / p.p99).toFixed(2)}x p99`);
    }
  } finally {
    client.close();
    if (!values.keep) await devnetDown(cfg, { wipe: true }, () => undefined);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
