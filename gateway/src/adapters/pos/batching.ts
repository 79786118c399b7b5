/**
 * Turns receipts into one RecordSales command per store: stock-moving lines
 * summed per (gtin, lot, kind), a Merkle root over every receipt's hash, and
 * the inclusion proof of each receipt.
 */
import { createHash } from 'node:crypto';
import { invalidInput, type FieldError } from '../../../../lib/platform/src';
import { CUSTOM_FORMATS } from '../../http/validation';
import { stableJson } from '../../submission/executor';
import type { LedgerCommand } from '../../submission/command';
import { leafHash, merkleTree, type ProofStep } from './merkle';
import type { Receipt } from './receipts';
import { TX } from '../../../../lib/domain/src';

export interface ReceiptProof {
  gln: string;
  receiptId: string;
  batchId: string;
  leaf: string;
  proof: ProofStep[];
  root: string;
}

export interface StoreBatch {
  gln: string;
  batchId: string;
  root: string;
  command: LedgerCommand;
  proofs: ReceiptProof[];
  /** RecordSales field → the first source element behind it (POSLog paths, or the JSON receipt fields). */
  fields: Record<string, string>;
  /** Where the batch's store stands in the source document. */
  storeField: string;
  /** Per RecordSales line, the till lines summed into it, in document order (their Quantity element or JSON field). */
  lineSources: LineSource[][];
}

/** One till line behind a RecordSales line. */
export interface LineSource {
  /** The POSLog Quantity element's XPath, or the JSON receipt line (`receipts[0].lines[1]`). */
  path: string;
  quantity: string;
  receiptId: string;
}

const toMilli = (q: string) => {
  const [i, f = ''] = q.split('.');
  return BigInt(i) * 1000n + BigInt((f + '000').slice(0, 3));
};
const fromMilli = (m: bigint) => `${m / 1000n}.${String(m % 1000n).padStart(3, '0')}`;

/** Store ids map to GLNs through `stores`; a valid GLN maps to itself. */
export function batchReceipts(receipts: Receipt[], stores: Record<string, string>): StoreBatch[] {
  const errors: FieldError[] = [];
  const byStore = new Map<string, Receipt[]>();
  receipts.forEach((r, i) => {
    const gln = stores[r.storeId] ?? (CUSTOM_FORMATS.gln(r.storeId) ? r.storeId : undefined);
    if (!gln) return void errors.push({ field: r.storeField ?? `receipts[${i}].storeId`, message: `store ${r.storeId} has no GLN mapping` });
    // A return without a lot is ordinary: the ledger puts it back on the lot the store last sold of that product.
    byStore.set(gln, [...(byStore.get(gln) ?? []), r]);
  });
  if (errors.length) throw invalidInput(errors, 422, 'UNMAPPED_CODE');
  const out: StoreBatch[] = [];
  for (const [gln, list] of [...byStore.entries()].sort()) {
    const seen = new Set<string>();
    for (const r of list) {
      if (seen.has(r.receiptId)) throw invalidInput([{ field: 'receiptId', message: `receipt ${r.receiptId} appears twice for store ${gln}` }], 422);
      seen.add(r.receiptId);
    }
    // The receipt is hashed as the till wrote it; where it stood in the upload is not part of it.
    const leaves = list.map(({ storeField: _where, linePaths: _paths, ...r }) => leafHash(stableJson(r)));
    const { root, proofs } = merkleTree(leaves);
    const totals = new Map<string, { gtin: string; lotCode?: string; kind: 'sale' | 'return'; milli: bigint; source: string; sources: LineSource[] }>();
    for (const r of list) {
      if (r.cancelled) continue;
      for (const [j, l] of r.lines.entries()) {
        if (l.voided) continue;
        const k = `${l.gtin}|${l.lotCode ?? ''}|${l.kind}`;
        const t = totals.get(k) ?? {
          gtin: l.gtin,
          lotCode: l.lotCode,
          kind: l.kind,
          milli: 0n,
          source: r.linePaths?.[j] ?? `receipts[${receipts.indexOf(r)}].lines[${j}]`,
          sources: [],
        };
        t.milli += toMilli(l.quantity);
        t.sources.push({ path: r.linePaths?.[j] ?? `receipts[${receipts.indexOf(r)}].lines[${j}]`, quantity: l.quantity, receiptId: r.receiptId });
        totals.set(k, t);
      }
    }
    // The batch id is derived from the content, so a resent batch is the same ledger event.
    const batchId = `pos-${createHash('sha256').update(`${gln}|${root}`).digest('hex').slice(0, 24)}`;
    // Sales first, so a lot-less return in the same batch can go back to a lot sold in it.
    const sorted = [...totals.values()].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'sale' ? -1 : 1));
    const lines = sorted.map((t) => ({ gtin: t.gtin, quantity: fromMilli(t.milli), kind: t.kind, ...(t.lotCode ? { lotCode: t.lotCode } : {}) }));
    const storeField = list[0].storeField ?? `receipts[${receipts.indexOf(list[0])}].storeId`;
    // A refused line is reported at the first element that contributed to it.
    const fields: Record<string, string> = { gln: storeField };
    sorted.forEach((t, i) => {
      fields[`lines[${i}]`] = t.source;
      fields[`lines[${i}].quantity`] = t.source;
      fields[`lines[${i}].gtin`] = t.source.replace(/\/Quantity$/, '/ItemID');
      fields[`lines[${i}].lotCode`] = t.source.replace(/\/Quantity$/, '/LotNumber');
    });
    if (lines.length === 0) continue; // nothing moves stock: only cancelled or voided receipts
    out.push({
      gln,
      batchId,
      root,
      command: { fn: TX.RecordSales, body: { eventId: `${batchId}-sales`, gln, batchId, merkleRoot: root, receiptCount: list.length, lines } },
      proofs: list.map((r, i) => ({ gln, receiptId: r.receiptId, batchId, leaf: leaves[i], proof: proofs[i], root })),
      fields,
      storeField,
      lineSources: sorted.map((t) => t.sources),
    });
  }
  return out;
}
