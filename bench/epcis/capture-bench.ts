/**
 * Benchmark: EPCIS capture of one large document through a gateway, from the
 * POST to the capture job's success (every transaction committed), as events
 * per second; then the same number of events as direct RecordEvents
 * submissions through LedgerClient, 32 in flight, as the baseline.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/epcis/capture-bench.js [--events 500]
 *
 * Brings up its own devnet and PostgreSQL on port base 37000 (BENCH_PORT_BASE) and stops both at the end.
 * One document holds at most 500 events (the capture limit); larger runs post several documents at once.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { devnetDown, devnetUp } from '../../network/src/devnet';
import { createPostgres } from '../../network/src/services/postgres';
import { loadGatewayConfig } from '../../gateway/src/config';
import { devnetLedgerEnv } from '../../network/src/connection-files';
import { connectDevnet } from '../../network/src/connect-devnet';
import { start } from '../../gateway/src/main';
import { testDevnetConfig } from '../../test/fixtures/test-devnet';

const arg = (name: string, d: number) => Number(process.argv[process.argv.indexOf(`--${name}`) + 1] || d) || d;

const event = (i: number, run: string) => ({
  type: 'ObjectEvent',
  eventID: `urn:uuid:${randomUUID()}`,
  eventTime: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
  eventTimeZoneOffset: '+01:00',
  epcList: [`urn:epc:id:sgtin:4012345.011111.${run}${i}`],
  action: 'OBSERVE',
  bizStep: 'inspecting',
  disposition: 'in_progress',
  readPoint: { id: 'urn:epc:id:sgln:4012345.00005.0' },
  sensorElementList: [{ sensorReport: [{ type: 'Temperature', value: 4 + (i % 3), uom: 'CEL' }] }],
});

async function main() {
  const total = arg('events', 500);
  const base = Number(process.env.BENCH_PORT_BASE ?? 37000);
  const cfg = testDevnetConfig(base);
  await devnetDown(cfg, { wipe: true }, () => undefined);
  const info = await devnetUp(cfg, () => undefined);
  const pg = createPostgres({ cfg: { ...cfg, runDir: path.join(cfg.root, 'network', 'run', `gateway-pg-${base}`) }, database: 'gateway_bench' });
  await pg.start();
  const direct = await connectDevnet(info, 'SupplierMSP');
  const gw = await start(
    loadGatewayConfig({
      ...devnetLedgerEnv(info, 'SupplierMSP'),
      GATEWAY_PORT: '0',
      DATABASE_URL: pg.connectionString,
      DEV_ISSUER_KEY_FILE: `/tmp/bench-epcis-${base}.json`,
      RATE_LIMIT_RPS: '100000',
      RATE_LIMIT_BURST: '100000',
      LOG_LEVEL: 'warn',
      GATEWAY_BODY_LIMIT: '20mb',
      SUBMIT_WORKER_POLL_MS: '50',
    }),
  );
  try {
    const token = await gw.devIssuer!.mint({ sub: 'bench', roles: ['supplier'] });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/ld+json' };
    const post = async (events: object[]) => {
      const doc = {
        '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
        type: 'EPCISDocument',
        schemaVersion: '2.0',
        creationDate: new Date().toISOString(),
        epcisBody: { eventList: events },
      };
      const res = await fetch(`${gw.url}/epcis/capture`, { method: 'POST', headers, body: JSON.stringify(doc) });
      if (res.status !== 202) throw new Error(`capture answered ${res.status}: ${await res.text()}`);
      const location = res.headers.get('location')!;
      for (;;) {
        const job = (await (await fetch(`${gw.url}${location}`, { headers })).json()) as { running: boolean; status: string; errors: unknown[] };
        if (!job.running) {
          if (job.status !== 'success') throw new Error(`capture job ${job.status}: ${JSON.stringify(job.errors)}`);
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await post(Array.from({ length: 5 }, (_, i) => event(i, 'w')));
    const run = `r${Date.now() % 100000}-`;
    const docs: object[][] = [];
    for (let i = 0; i < total; i += 500) docs.push(Array.from({ length: Math.min(500, total - i) }, (_, k) => event(i + k, run)));
    let t = Date.now();
    await Promise.all(docs.map(post));
    const captureS = (Date.now() - t) / 1000;
    console.log(`capture: ${total} events in ${docs.length} document(s): ${captureS.toFixed(1)} s to committed, ${(total / captureS).toFixed(1)} events/s`);

    t = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < total) {
          const i = next++;
          const ev = event(i, `d${run}`);
          await direct.submit({ contract: 'traceability', fn: 'RecordEvents', args: [JSON.stringify({ eventId: `bench-${run}${i}`, epcisEvents: [ev] })] });
        }
      }),
    );
    const directS = (Date.now() - t) / 1000;
    console.log(
      `direct RecordEvents (LedgerClient, 32 in flight): ${(total / directS).toFixed(1)} events/s; capture/direct ratio ${(total / captureS / (total / directS)).toFixed(2)}`,
    );
  } finally {
    await gw.stop();
    direct.close();
    await pg.stop();
    await devnetDown(cfg, { wipe: true }, () => undefined);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
