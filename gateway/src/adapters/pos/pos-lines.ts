/**
 * A POS document booked line by line: each store batch goes to the ledger as
 * a partial RecordSales (a line the facts refuse is skipped, the rest booked;
 * a summed line carries its till lines' quantities so they are booked one by
 * one when the sum does not fit), and the answer reports every till line by
 * its XPath (POSLog) or field (JSON): booked (with the lots it moved), ignored
 * (voided line, cancelled / training / suspended transaction) or kept for
 * replay (with the ledger's reason, named in the document's own terms). Kept
 * lines go to the gateway's database; a replay books them once the facts allow.
 */
import { createHash } from 'node:crypto';
import type { LedgerCommand } from '../../submission/command';
import type { LineSource, StoreBatch } from './batching';
import type { Receipt } from './receipts';
import type { UnbookedLine } from './unbooked-store';

/** What happened to one till line. */
export interface LineReport {
  /** The LineItem's XPath (`/POSLog/Transaction[1]/RetailTransaction/LineItem[2]`) or the JSON line (`receipts[0].lines[1]`). */
  line: string;
  receiptId: string;
  kind: 'sale' | 'return';
  gtin: string;
  quantity: string;
  status: 'booked' | 'ignored' | 'kept_for_replay' | 'not_booked';
  /** Why an ignored line moves no stock: `voided`, `cancelled`, `training`, `suspended`, … */
  reason?: string;
  /** Lots the line moved (a summed line: the lots of the sum). */
  lots?: { lotCode: string; quantity: string }[];
  /** A return without a lot: how its lot was found (`last_sold`, `held`, `unknown`). */
  resolvedBy?: string;
  code?: string;
  message?: string;
  /** The element the refusal names (its Quantity, ItemID or LotNumber). */
  field?: string;
}

/** Limits parts per summed line to the contract's bound; past it the sum is booked or kept as a whole. */
const MAX_PARTS = 5000;

/** The store batch as a partial RecordSales: refused lines are reported, not fatal. */
export function partialSalesCommand(b: StoreBatch): LedgerCommand {
  const lines = (b.command.body.lines as Record<string, unknown>[]).map((l, i) => {
    const src = b.lineSources[i] ?? [];
    return src.length > 1 && src.length <= MAX_PARTS ? { ...l, parts: src.map((s) => s.quantity) } : l;
  });
  return { ...b.command, body: { ...b.command.body, lines, partial: true } };
}

interface StoredLine {
  line?: number;
  part?: number;
  allocations?: { lotCode: string; quantity: string }[];
  resolvedBy?: string;
}
interface RefusedLine {
  line: number;
  part?: number;
  code: string;
  message: string;
  field?: string;
}
/** What RecordSales answered for one store batch (undefined: not booked at all). */
export interface BatchResult {
  batch?: { lines?: StoredLine[]; refused?: RefusedLine[] };
}

/** The source element a refused field stands for, on this till line. */
function sourceField(src: LineSource, chaincodeField: string | undefined): string {
  if (chaincodeField?.endsWith('.gtin')) return src.path.replace(/\/Quantity$/, '/ItemID');
  if (chaincodeField?.endsWith('.lotCode')) return src.path.replace(/\/Quantity$/, '/LotNumber');
  return src.path;
}

/** The till line's own path: the LineItem element (POSLog) or the JSON line. */
const linePath = (quantityPath: string) => quantityPath.replace(/\/(Sale|Return)\/Quantity$/, '');

/**
 * Reports every till line of `receipts` against the ledger's answers
 * (`results[k]` for `batches[k]`), and lists the lines to keep for replay.
 */
export function reportLines(
  receipts: Receipt[],
  batches: StoreBatch[],
  results: Array<BatchResult | undefined>,
  o: { mspId: string; glnOf: (storeId: string) => string | undefined },
): { lines: LineReport[]; kept: UnbookedLine[] } {
  const where = new Map<string, { b: number; line: number; part: number; parts: number }>();
  batches.forEach((b, k) =>
    b.lineSources.forEach((srcs, line) => srcs.forEach((s, part) => where.set(`${b.gln}|${s.path}`, { b: k, line, part, parts: srcs.length }))),
  );
  const lines: LineReport[] = [];
  const kept: UnbookedLine[] = [];
  receipts.forEach((r, i) => {
    r.lines.forEach((l, j) => {
      const qPath = r.linePaths?.[j] ?? `receipts[${i}].lines[${j}]`;
      const base = { line: linePath(qPath), receiptId: r.receiptId, kind: l.kind, gtin: l.gtin, quantity: l.quantity };
      if (r.cancelled) return void lines.push({ ...base, status: 'ignored', reason: r.state ?? 'cancelled' });
      if (l.voided) return void lines.push({ ...base, status: 'ignored', reason: 'voided' });
      const gln = o.glnOf(r.storeId);
      const at = gln ? where.get(`${gln}|${qPath}`) : undefined;
      const res = at ? results[at.b] : undefined;
      if (!at || !res?.batch) return void lines.push({ ...base, status: 'not_booked' });
      const stored = res.batch.lines ?? [];
      // A line booked whole (its sum), or this till line's part of it.
      const whole = stored.find((s) => s.line === at.line && s.part === undefined) ?? (stored.every((s) => s.line === undefined) ? stored[at.line] : undefined);
      const mine = whole ?? stored.find((s) => s.line === at.line && s.part === at.part);
      if (mine) {
        lines.push({ ...base, status: 'booked', lots: mine.allocations, ...(mine.resolvedBy ? { resolvedBy: mine.resolvedBy } : {}) });
        return;
      }
      const refusal = (res.batch.refused ?? []).find((f) => f.line === at.line && (f.part === undefined || f.part === at.part));
      if (!refusal) return void lines.push({ ...base, status: 'not_booked' });
      const src = batches[at.b].lineSources[at.line][at.part];
      const error = { code: refusal.code, message: refusal.message, field: sourceField(src, refusal.field) };
      lines.push({ ...base, status: 'kept_for_replay', ...error });
      kept.push({
        batchId: batches[at.b].batchId,
        linePath: base.line,
        mspId: o.mspId,
        gln: batches[at.b].gln,
        receiptId: r.receiptId,
        merkleRoot: batches[at.b].root,
        gtin: l.gtin,
        ...(l.lotCode ? { lotCode: l.lotCode } : {}),
        kind: l.kind,
        quantity: l.quantity,
        status: 'pending',
        attempts: 1,
        error,
      });
    });
  });
  return { lines, kept };
}

/**
 * One partial RecordSales per store batch of kept lines, each line booked
 * alone. Its batch id and event id come from the lines and their attempt
 * count, so every replay is a new ledger fact and a retried request the same.
 */
export function replayCommands(pending: UnbookedLine[]): { cmd: LedgerCommand; rows: UnbookedLine[] }[] {
  const groups = new Map<string, UnbookedLine[]>();
  for (const l of pending) groups.set(`${l.gln}|${l.batchId}`, [...(groups.get(`${l.gln}|${l.batchId}`) ?? []), l]);
  return [...groups.values()].map((rows) => {
    const tag = createHash('sha256')
      .update(rows.map((r) => `${r.linePath}#${r.attempts}`).join('|'))
      .digest('hex')
      .slice(0, 16);
    const batchId = `${rows[0].batchId}-r-${tag}`;
    return {
      rows,
      cmd: {
        fn: 'RecordSales',
        body: {
          eventId: `${batchId}-sales`,
          gln: rows[0].gln,
          batchId,
          // The receipts these lines belong to are proven by the original batch's root.
          merkleRoot: rows[0].merkleRoot,
          receiptCount: 0,
          partial: true,
          lines: rows.map((r) => ({ gtin: r.gtin, quantity: r.quantity, kind: r.kind, ...(r.lotCode ? { lotCode: r.lotCode } : {}) })),
        },
      },
    };
  });
}
