/**
 * The stores' POS feeds: every store uploads the receipts of its last
 * (simulated) interval as one JSON document to a gateway, stores spread
 * evenly over the interval. Receipts per upload are Poisson-distributed
 * around the peak-hour rate, lines per receipt 1 + Poisson(mean − 1); every
 * line sells one unit of a catalog item. A store with no receipts in an
 * interval sends nothing, as a till would.
 */
import { catalogGtin, storeGln } from './retail-setup';

export interface LoadOptions {
  stores: number;
  products: number;
  /** Receipts per store per hour at peak (simulated time). */
  receiptsPerHour: number;
  linesPerReceipt: number;
  /** Simulated seconds between a store's uploads. */
  uploadEverySec: number;
  /** Simulated time runs this many times faster than the clock. */
  speed: number;
  seconds: number;
  /** Gateway base URLs and a token for each. */
  gateways: Array<{ url: string; token: string }>;
  /** Most uploads in flight before the generator counts itself behind. */
  maxInFlight: number;
  runId: string;
}

export interface UploadRecord {
  batchId: string;
  receipts: number;
  posLines: number;
}

export interface LoadReport {
  uploads: number;
  failed: number;
  /** Uploads that could not start on time because `maxInFlight` were outstanding. */
  late: number;
  receipts: number;
  posLines: number;
  /** Upload answer times (ms). */
  latencies: number[];
  batches: UploadRecord[];
  firstError?: string;
  seconds: number;
}

/** Knuth's method; fine for the small means of one store's interval. */
function poisson(mean: number): number {
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= Math.random();
  } while (p > l);
  return k - 1;
}

export async function runLoad(o: LoadOptions): Promise<LoadReport> {
  const periodMs = (o.uploadEverySec * 1000) / o.speed;
  const meanReceipts = (o.receiptsPerHour * o.uploadEverySec) / 3600;
  const r: LoadReport = { uploads: 0, failed: 0, late: 0, receipts: 0, posLines: 0, latencies: [], batches: [], seconds: 0 };
  const t0 = Date.now();
  const end = t0 + o.seconds * 1000;
  let inFlight = 0;
  const sends: Promise<void>[] = [];
  const round = new Array<number>(o.stores).fill(0);

  async function upload(i: number, k: number): Promise<void> {
    const n = poisson(meanReceipts);
    if (n === 0) return;
    const receipts = Array.from({ length: n }, (_, j) => ({
      storeId: storeGln(i),
      receiptId: `${o.runId}-${k}-${j}`,
      at: new Date().toISOString(),
      lines: Array.from({ length: 1 + poisson(o.linesPerReceipt - 1) }, () => ({ gtin: catalogGtin(Math.floor(Math.random() * o.products)), quantity: '1' })),
    }));
    const lines = receipts.reduce((s, x) => s + x.lines.length, 0);
    const gw = o.gateways[i % o.gateways.length];
    inFlight++;
    const started = performance.now();
    try {
      const res = await fetch(`${gw.url}/pos/sales?mode=rollup`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gw.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ receipts }),
      });
      const body = (await res.json()) as { batches?: Array<{ batchId: string }> };
      if (res.status !== 202) throw new Error(`${res.status} ${JSON.stringify(body).slice(0, 300)}`);
      r.latencies.push(performance.now() - started);
      r.uploads++;
      r.receipts += n;
      r.posLines += lines;
      for (const b of body.batches ?? []) r.batches.push({ batchId: b.batchId, receipts: n, posLines: lines });
    } catch (err) {
      r.failed++;
      r.firstError ??= (err as Error).message;
    } finally {
      inFlight--;
    }
  }

  // Store i uploads at t0 + (i / stores + k) * period: an even spread over each interval.
  let cursor = 0;
  let k = 0;
  while (Date.now() < end) {
    const now = Date.now();
    while (now >= t0 + (cursor / o.stores + k) * periodMs) {
      const i = cursor;
      if (inFlight >= o.maxInFlight) r.late++;
      else sends.push(upload(i, round[i]++ * o.stores + i));
      if (++cursor === o.stores) {
        cursor = 0;
        k++;
      }
    }
    await new Promise((res) => setTimeout(res, 10));
  }
  r.seconds = (Date.now() - t0) / 1000;
  await Promise.all(sends);
  return r;
}
