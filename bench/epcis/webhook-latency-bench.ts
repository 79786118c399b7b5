/**
 * Benchmark: EPCIS capture-to-webhook delivery latency. Events are captured
 * one per document through a gateway (POST /epcis/capture), committed, indexed
 * by the indexer and delivered by its streaming webhook subscription to a
 * subscriber on loopback; each event's latency is from the start of its POST
 * to its arrival at the subscriber. Measured twice in the same run: with no
 * other load (the baseline), then under the chaincode benchmark's load
 * (TransferStock submissions on disjoint lots, `--concurrency` in flight).
 *
 *   npm run bench:epcis:webhook [-- --events 60 --concurrency 16 --interval 250]
 *
 * Brings up its own devnet and PostgreSQL on port base 37000 (BENCH_PORT_BASE) and stops both at the end.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { gs1CheckDigit } from '../../chaincode/src/traceability/gs1';
import { loadGatewayConfig } from '../../gateway/src/config';
import { start } from '../../gateway/src/main';
import { dropSchema } from '../../indexer/src/db/migrate';
import { createPool } from '../../indexer/src/db/pool';
import { DEFAULT_SUBSCRIPTIONS } from '../../indexer/src/config';
import { createIndexer } from '../../indexer/src/main';
import { loadLedgerConfig, type LedgerClient } from '../../lib/fabric/src';
import { connectDevnet } from '../../network/src/connect-devnet';
import { devnetLedgerEnv } from '../../network/src/connection-files';
import type { DevnetConfig } from '../../network/src/config';
import { devnetDown, devnetUp } from '../../network/src/devnet';
import type { DevnetInfo } from '../../network/src/devnet-info';
import { createPostgres } from '../../network/src/services/postgres';
import { testDevnetConfig } from '../../test/fixtures/test-devnet';
import { percentile, runLoad } from '../chaincode/stats';

const withCheckDigit = (body: string) => body + gs1CheckDigit(body);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { events: { type: 'string', default: '60' }, concurrency: { type: 'string', default: '16' }, interval: { type: 'string', default: '250' } },
  });
  const base = Number(process.env.BENCH_PORT_BASE ?? 37000);
  const cfg = testDevnetConfig(base);
  await devnetDown(cfg, { wipe: true }, () => undefined);
  const pg = createPostgres({ cfg: { ...cfg, runDir: path.join(cfg.root, 'network', 'run', `webhook-pg-${base}`) }, database: 'webhook_bench' });
  const stops: Array<() => unknown> = [() => devnetDown(cfg, { wipe: true }, () => undefined), () => pg.stop()];
  try {
    const info = await devnetUp(cfg, () => undefined);
    await pg.start();
    await measureAll(info, cfg, pg.connectionString, base, values, stops);
  } finally {
    // In reverse: what started last stops first.
    for (const stop of stops.reverse()) await stop();
  }
}

async function measureAll(
  info: DevnetInfo,
  cfg: DevnetConfig,
  databaseUrl: string,
  base: number,
  values: { events: string; concurrency: string; interval: string },
  stops: Array<() => unknown>,
): Promise<void> {
  const total = Number(values.events);
  const concurrency = Number(values.concurrency);
  const intervalMs = Number(values.interval);
  // A schema of its own per run; dropped at the end.
  const schema = `webhook_bench_${randomUUID().slice(0, 8)}`;
  stops.push(async () => {
    const admin = createPool({ connectionString: databaseUrl, schema: 'public' });
    await dropSchema(admin, schema).catch(() => undefined);
    await admin.end();
  });
  const keyFile = path.join(os.tmpdir(), `bench-webhook-indexer-${base}.json`);
  const indexer = createIndexer(
    {
      schema,
      kafka: 'off',
      topicPrefix: 'webhook-bench.supplychain',
      topicPartitions: 1,
      eventSource: 'urn:coffee-trace:bench',
      ledger: loadLedgerConfig(devnetLedgerEnv(info, 'AuditorMSP')),
      ownerRole: 'auditor',
      http: { host: '127.0.0.1', port: 0 },
      auth: {
        audience: 'coffee-trace-gateway',
        algorithms: ['ES256'],
        devIssuer: true,
        devIssuerPort: 0,
        devKeyFile: keyFile,
        orgClaim: 'org',
        requireOrg: false,
      },
      databaseUrl,
      pollMs: 200,
      retryDelayMs: 300,
      outboxBatch: 200,
      logLevel: 'warn',
      // The subscriber listens on loopback, which webhooks reach only when allow-listed.
      subscriptions: { ...DEFAULT_SUBSCRIPTIONS, webhookAllow: ['127.0.0.1/32'] },
    },
    { log: pino({ level: 'warn' }) },
  );
  stops.push(() => indexer.stop());
  await indexer.start();
  const issuer = indexer.devIssuer()!;
  const { issuer: iss, jwksUrl } = JSON.parse(fs.readFileSync(keyFile, 'utf8')) as { issuer: string; jwksUrl: string };
  const gw = await start(
    loadGatewayConfig({
      GATEWAY_MSP_ID: 'SupplierMSP',
      GATEWAY_PORT: '0',
      ...devnetLedgerEnv(info, 'SupplierMSP'),
      DATABASE_URL: databaseUrl,
      DEV_ISSUER_KEY_FILE: path.join(os.tmpdir(), `bench-webhook-gateway-${base}.json`),
      EPCIS_QUERY_URL: `http://127.0.0.1:${indexer.httpPort()}`,
      AUTH_JWKS_URL: jwksUrl,
      AUTH_ISSUER: iss,
      RATE_LIMIT_RPS: '100000',
      RATE_LIMIT_BURST: '100000',
      LOG_LEVEL: 'warn',
      SUBMIT_WORKER_POLL_MS: '50',
    }),
  );
  stops.push(() => gw.stop());
  const client = await connectDevnet(info, 'SupplierMSP');
  stops.push(() => client.close());
  const arrived = new Map<string, number>();
  const hook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const now = performance.now();
      for (const e of JSON.parse(body).epcisBody.queryResults.resultsBody.eventList as Array<{ eventID: string }>)
        if (!arrived.has(e.eventID)) arrived.set(e.eventID, now);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  stops.push(() => hook.close());
  {
    const token = await issuer.mint({ sub: 'bench', roles: ['supplier'] });
    const json = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const readPoint = 'urn:epc:id:sgln:4012345.00009.0';
    const ok = async (res: Response) => {
      if (res.status >= 300) throw new Error(`${res.url} answered ${res.status}: ${await res.text()}`);
      return res;
    };
    await ok(
      await fetch(`${gw.url}/epcis/queries`, { method: 'POST', headers: json, body: JSON.stringify({ name: 'bench', query: { EQ_readPoint: readPoint } }) }),
    );
    await ok(
      await fetch(`${gw.url}/epcis/queries/bench/subscriptions`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ dest: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`, stream: true }),
      }),
    );

    /**
     * Captures `n` single-event documents, one every `intervalMs`; returns each event's latency (ms) from POST to
     * webhook, split at the capture job's end (every transaction committed, polled every 50 ms).
     */
    const measure = async (n: number, tag: string): Promise<{ total: number[]; toCommit: number[]; toHook: number[] }> => {
      const sent = new Map<string, number>();
      const committed = new Map<string, number>();
      const posts: Promise<unknown>[] = [];
      for (let i = 0; i < n; i++) {
        const eventID = `urn:uuid:${randomUUID()}`;
        const doc = {
          '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
          type: 'EPCISDocument',
          schemaVersion: '2.0',
          creationDate: new Date().toISOString(),
          epcisBody: {
            eventList: [
              {
                type: 'ObjectEvent',
                eventID,
                eventTime: new Date().toISOString(),
                eventTimeZoneOffset: '+00:00',
                epcList: [`urn:epc:id:sgtin:4012345.011111.${tag}${i}`],
                action: 'OBSERVE',
                bizStep: 'inspecting',
                readPoint: { id: readPoint },
              },
            ],
          },
        };
        sent.set(eventID, performance.now());
        posts.push(
          (async () => {
            const res = await ok(
              await fetch(`${gw.url}/epcis/capture`, {
                method: 'POST',
                headers: { ...json, 'content-type': 'application/ld+json' },
                body: JSON.stringify(doc),
              }),
            );
            for (const location = res.headers.get('location')!; ; await sleep(50)) {
              const job = (await (await fetch(`${gw.url}${location}`, { headers: json })).json()) as { running: boolean; status: string };
              if (job.running) continue;
              if (job.status !== 'success') throw new Error(`capture job ${job.status}`);
              committed.set(eventID, performance.now());
              return;
            }
          })(),
        );
        await sleep(intervalMs);
      }
      await Promise.all(posts);
      for (let i = 0; i < 1200 && [...sent.keys()].some((id) => !arrived.has(id)); i++) await sleep(100);
      const missing = [...sent.keys()].filter((id) => !arrived.has(id)).length;
      if (missing) throw new Error(`${missing} of ${n} events never reached the webhook`);
      const sorted = (f: (id: string, t: number) => number) => [...sent].map(([id, t]) => f(id, t)).sort((a, b) => a - b);
      return {
        total: sorted((id, t) => arrived.get(id)! - t),
        toCommit: sorted((id, t) => committed.get(id)! - t),
        toHook: sorted((id) => arrived.get(id)! - committed.get(id)!),
      };
    };
    const line = (name: string, l: number[]) =>
      console.log(
        `${name.padEnd(34)} ${String(l.length).padStart(6)}  ${percentile(l, 50).toFixed(0).padStart(7)}  ${percentile(l, 99).toFixed(0).padStart(7)}  ${l[l.length - 1].toFixed(0).padStart(7)}`,
      );

    await measure(5, 'w'); // warm-up: connections, compiled paths
    const idle = await measure(total, 'i');

    // The chaincode benchmark's load: TransferStock on one lot per worker, `concurrency` in flight, until measured.
    const run = randomUUID().slice(0, 6);
    const from = withCheckDigit('761000000001');
    const to = withCheckDigit('761000000002');
    const gtin = withCheckDigit('0761000000010');
    const submitJson = async (c: LedgerClient, fn: string, body: object): Promise<void> => {
      await c.submit({ contract: 'traceability', fn, args: [JSON.stringify(body)] });
    };
    for (const [gln, type] of [
      [from, 'roastery'],
      [to, 'supplier_site'],
    ] as const)
      await submitJson(client, 'RegisterLocation', { eventId: `loc-${run}-${gln}`, gln, type, name: type, address: { country: 'DE' } });
    await submitJson(client, 'RegisterProduct', { eventId: `prod-${run}`, gtin, description: 'Roasted beans', unit: 'KGM' });
    await runLoad(concurrency, concurrency, async (_, w) =>
      submitJson(client, 'CommissionLot', { eventId: `com-${run}-${w}`, gln: from, gtin, lotCode: `B-${run}-${w}`, quantity: '1000000' }),
    );
    let loading = true;
    let transfers = 0;
    const t0 = Date.now();
    const load = Promise.all(
      Array.from({ length: concurrency }, async (_, w) => {
        while (loading) {
          await submitJson(client, 'TransferStock', {
            eventId: `tr-${randomUUID()}`,
            fromGln: from,
            toGln: to,
            lines: [{ gtin, lotCode: `B-${run}-${w}`, quantity: '1' }],
          });
          transfers++;
        }
      }),
    );
    await sleep(2_000); // the load reaches its steady state
    const loaded = await measure(total, 'l');
    loading = false;
    await load;
    const loadTps = transfers / ((Date.now() - t0) / 1000);

    console.log(`\ncapture-to-webhook latency, ${total} events each, one single-event document every ${intervalMs} ms (ms)`);
    console.log('run                                events      p50      p99      max');
    for (const [name, r] of [
      ['no other load (baseline)', idle],
      [`TransferStock load, ${concurrency} in flight`, loaded],
    ] as const) {
      line(`${name}`, r.total);
      line('  of which POST to committed', r.toCommit);
      line('  of which committed to webhook', r.toHook);
    }
    console.log(
      `load: ${loadTps.toFixed(1)} TransferStock tx/s committed meanwhile; p50 ratio ${(percentile(loaded.total, 50) / percentile(idle.total, 50)).toFixed(2)}x, p99 ratio ${(percentile(loaded.total, 99) / percentile(idle.total, 99)).toFixed(2)}x`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
