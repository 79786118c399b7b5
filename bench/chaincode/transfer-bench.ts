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
import type { LedgerClient } from '../../lib/fabric/src';
import { loadDevnetConfig } from '../../network/src/config';
import { devnetDown, devnetUp, processManager } from '../../network/src/devnet';
import { parseTopology } from '../../network/src/topology';
import { printCpuShares, startCpuWindow, type CpuShare } from '../cpu-shares';
import { writeFigures, type BenchFigure } from '../summary';
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
      json: { type: 'string' },
      submitters: { type: 'string', default: 'gateway,sdk' },
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
  const submitters = values.submitters.split(',') as Array<'gateway' | 'sdk'>;
  const clients = new Map<string, LedgerClient>();
  for (const s of submitters) clients.set(s, await connectDevnet(info, 'SupplierMSP', 'user', s));
  const client = clients.get(submitters[0])!;
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
    const processes = processManager(cfg)
      .list()
      .filter((p) => p.alive)
      .map((p) => ({ name: p.name, pid: p.pid }));
    const cpu: Record<string, CpuShare[]> = {};
    for (const c of levels)
      for (const [sub, client] of clients) {
        const n = c === 1 ? Math.min(count, 60) : count;
        let window = startCpuWindow(processes);
        const probe = await runLoad(n, c, async (_, i) => {
          await client.submit({ contract: 'probe', fn: 'Put', args: [`bench-${run}-${sub}-${c}-${i}`, 'x'] });
        });
        cpu[`probe:Put [${sub}] c=${c}`] = window.stop();
        window = startCpuWindow(processes);
        const transfer = await runLoad(n, c, async (w) =>
          submitJson(client, 'TransferStock', {
            eventId: `tr-${randomUUID()}`,
            fromGln: from,
            toGln: to,
            lines: [{ gtin, lotCode: `B-${run}-${w}`, quantity: '1' }],
          }),
        );
        cpu[`TransferStock [${sub}] c=${c}`] = window.stop();
        for (const [name, r] of [
          [`probe:Put [${sub}]`, probe],
          [`TransferStock [${sub}]`, transfer],
        ] as const) {
          rows.push({ name, concurrency: c, ...r });
          if (r.errors.length) console.log(`  ${name} c=${c}: ${r.errors.length} failed, e.g. ${r.errors[0]}`);
        }
      }

    console.log('\ntransaction               conc  committed  failed  tx/s     p50 ms   p99 ms');
    for (const r of rows) {
      console.log(
        `${r.name.padEnd(25)} ${String(r.concurrency).padStart(4)} ${String(r.count).padStart(10)} ${String(r.failed).padStart(7)}  ${r.perSecond.toFixed(1).padStart(7)}  ${r.p50.toFixed(0).padStart(7)}  ${r.p99.toFixed(0).padStart(7)}`,
      );
    }
    const row = (name: string, c: number) => rows.find((r) => r.name === name && r.concurrency === c)!;
    console.log('\nTransferStock / probe:Put (throughput ratio, p99 ratio):');
    for (const c of levels)
      for (const sub of submitters) {
        const p = row(`probe:Put [${sub}]`, c);
        const t = row(`TransferStock [${sub}]`, c);
        console.log(
          `  ${sub.padEnd(8)} concurrency ${String(c).padStart(2)}: ${(t.perSecond / p.perSecond).toFixed(2)}x throughput, ${(t.p99 / p.p99).toFixed(2)}x p99`,
        );
      }
    const top = Math.max(...levels);
    const [main, other] = submitters;
    if (other) {
      const a = row(`TransferStock [${main}]`, top);
      const b = row(`TransferStock [${other}]`, top);
      console.log(`\nTransferStock, ${main} / ${other} client at concurrency ${top}: ${(a.perSecond / b.perSecond).toFixed(2)}x throughput`);
    }
    for (const sub of submitters)
      for (const name of [`probe:Put [${sub}] c=${top}`, `TransferStock [${sub}] c=${top}`]) printCpuShares(`CPU per process, ${name}`, cpu[name]);
    const p = row(`probe:Put [${main}]`, top);
    const t = row(`TransferStock [${main}]`, top);
    const topology = `${cfg.orgs.length} orgs, ${cfg.orderers.length} orderer(s), ${count} tx, ${main} client`;
    const figures: BenchFigure[] = [
      {
        name: `chaincode.transfer.c${top}.txps`,
        label: `TransferStock committed tx/s, concurrency ${top}`,
        value: t.perSecond,
        unit: 'tx/s',
        target: { op: '>=', value: 150 },
        baseline: { label: 'probe:Put tx/s', value: p.perSecond },
        note: topology,
      },
      {
        name: `chaincode.transfer.c${top}.ratio`,
        label: `TransferStock / probe:Put throughput, concurrency ${top}`,
        value: t.perSecond / p.perSecond,
        unit: 'x',
        target: { op: '>=', value: 0.85 },
      },
      {
        name: `chaincode.transfer.c${top}.p99`,
        label: `TransferStock p99 submit-to-commit, concurrency ${top}`,
        value: t.p99,
        unit: 'ms',
        target: { op: '<=', value: 1000 },
        baseline: { label: 'probe:Put p99', value: p.p99 },
      },
    ];
    if (other) {
      const b = row(`TransferStock [${other}]`, top);
      figures.push({
        name: `chaincode.transfer.c${top}.client`,
        label: `TransferStock tx/s, ${main} client (vs ${other} client)`,
        value: t.perSecond,
        unit: 'tx/s',
        baseline: { label: `${other} client tx/s`, value: b.perSecond },
      });
    }
    writeFigures(values.json, 'chaincode', figures);
  } finally {
    for (const c of clients.values()) c.close();
    if (!values.keep) await devnetDown(cfg, { wipe: true }, () => undefined);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
