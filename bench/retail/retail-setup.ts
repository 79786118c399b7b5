/**
 * Set-up of the retail benchmark: the chain's stores, products and stock on
 * the ledger through the bulk onboarding transactions (RegisterLocations,
 * CommissionLots: 200 entries each, several in flight), and the in-run
 * baseline: one RecordSales per store batch, submitted straight to the ledger
 * for a few seconds, which is what booking every store's batch on its own costs.
 */
import { randomUUID } from 'node:crypto';
import { gs1CheckDigit } from '../../chaincode/src/traceability/gs1';
import type { LedgerClient } from '../../lib/fabric/src';

const cd = (body: string) => body + gs1CheckDigit(body);

/** Store i's GLN (a fresh devnet per run, so the numbering can be fixed). */
export const storeGln = (i: number) => cd(`49${String(i).padStart(10, '0')}`);
/** The catalog's GTINs (GTIN-14). */
export const catalogGtin = (g: number) => cd(`0490000001${String(g).padStart(3, '0')}`);
/** The one lot of product g at store i. */
export const storeLot = (i: number, g: number) => `S${i}-G${g}`;

const submitJson = (c: LedgerClient, fn: string, body: Record<string, unknown>) =>
  c.submit({ contract: 'traceability', fn, args: [JSON.stringify({ eventId: `bench-${randomUUID()}`, ...body })] });

/** Runs `fn` over `n` items with at most `concurrency` at once. */
export async function inPool(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

export interface SetupReport {
  seconds: number;
  locationsSeconds: number;
  lotsSeconds: number;
  transactions: number;
}

/** Registers the products, `stores` store locations and one lot of every product at every store. */
export async function setUpStores(
  client: LedgerClient,
  opts: { stores: number; products: number; unitsPerLot: string; perTx?: number; concurrency?: number },
  log: (m: string) => void,
): Promise<SetupReport> {
  const perTx = opts.perTx ?? 200;
  const concurrency = opts.concurrency ?? 8;
  const t0 = Date.now();
  let transactions = 0;
  for (let g = 0; g < opts.products; g++) {
    await submitJson(client, 'RegisterProduct', { gtin: catalogGtin(g), description: `Catalog item ${g}`, unit: 'H87' });
    transactions++;
  }
  const chunks = Math.ceil(opts.stores / perTx);
  await inPool(chunks, concurrency, async (c) => {
    const locations = [];
    for (let i = c * perTx; i < Math.min(opts.stores, (c + 1) * perTx); i++)
      locations.push({ gln: storeGln(i), name: `Store ${i}`, type: 'store', address: { country: 'US' } });
    await submitJson(client, 'RegisterLocations', { locations });
    transactions++;
  });
  const t1 = Date.now();
  log(`registered ${opts.stores} stores in ${chunks} RegisterLocations transactions, ${((t1 - t0) / 1000).toFixed(1)} s`);
  const lots: Array<{ i: number; g: number }> = [];
  for (let i = 0; i < opts.stores; i++) for (let g = 0; g < opts.products; g++) lots.push({ i, g });
  const lotChunks = Math.ceil(lots.length / perTx);
  await inPool(lotChunks, concurrency, async (c) => {
    const part = lots.slice(c * perTx, (c + 1) * perTx);
    await submitJson(client, 'CommissionLots', {
      lots: part.map(({ i, g }) => ({ gln: storeGln(i), gtin: catalogGtin(g), lotCode: storeLot(i, g), quantity: opts.unitsPerLot })),
    });
    transactions++;
  });
  const t2 = Date.now();
  log(`commissioned ${lots.length} lots (${opts.products} per store) in ${lotChunks} CommissionLots transactions, ${((t2 - t1) / 1000).toFixed(1)} s`);
  return { seconds: (t2 - t0) / 1000, locationsSeconds: (t1 - t0) / 1000, lotsSeconds: (t2 - t1) / 1000, transactions };
}

/**
 * The baseline: one RecordSales per store batch (what the gateway's sync path
 * submits), straight to the ledger from `concurrency` submitters for `seconds`.
 * Returns committed transactions per second.
 */
export async function probeRecordSales(
  client: LedgerClient,
  opts: { stores: number; products: number; seconds: number; concurrency: number; linesPerBatch: number },
): Promise<{ txps: number; committed: number; failed: number }> {
  const deadline = Date.now() + opts.seconds * 1000;
  let committed = 0;
  let failed = 0;
  let store = Math.floor(opts.stores / 2);
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (Date.now() < deadline) {
        // Distinct stores per transaction, as in the field: no two in flight touch the same stock.
        const i = store++ % opts.stores;
        const lines = Array.from({ length: opts.linesPerBatch }, (_, k) => ({ gtin: catalogGtin((i + k) % opts.products), quantity: '1', kind: 'sale' }));
        try {
          await submitJson(client, 'RecordSales', { gln: storeGln(i), batchId: `probe-${randomUUID()}`, merkleRoot: '00'.repeat(32), receiptCount: 1, lines });
          committed++;
        } catch {
          failed++;
        }
      }
    }),
  );
  return { txps: committed / ((Date.now() - t0) / 1000), committed, failed };
}
