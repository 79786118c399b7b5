/**
 * Checks what an indexer claims against the ledger itself: every step of a
 * downstream trace and every holding must name a transaction that proves
 * valid, sits in the block the indexer says, and records that very fact in
 * its chaincode event. A tampered row fails here, loudly.
 */
import type { StockLine } from '../../lib/domain/src';
import type { ProvenanceService } from '../../lib/fabric/src';

/** The indexer's downstream trace answer (GET /lots/{gtin}/{lot}/trace/downstream). */
export interface IndexedTrace {
  steps: Array<{
    gtin: string;
    lot_code: string;
    parent_gtin: string | null;
    parent_lot_code: string | null;
    tx_id: string | null;
    block_number: string | number | null;
  }>;
  holdings: Array<{ gtin: string; lot_code: string; gln: string; quantity: string; tx_id: string; block_number: string | number }>;
}

export interface IndexerCheckFinding {
  kind: 'step' | 'holding';
  subject: string;
  txId: string;
  ok: boolean;
  problems: string[];
}

function stockLines(payload: Buffer | undefined): StockLine[] {
  if (!payload) return [];
  try {
    const p = JSON.parse(payload.toString('utf8')) as { events?: Array<Record<string, { stock?: StockLine[] }>> };
    return (p.events ?? []).flatMap((e) => e['ct:ledger']?.stock ?? []);
  } catch {
    return [];
  }
}

export async function checkIndexedTrace(service: ProvenanceService, trace: IndexedTrace): Promise<{ ok: boolean; findings: IndexerCheckFinding[] }> {
  const findings: IndexerCheckFinding[] = [];
  const claims = [
    ...trace.steps
      .filter((s) => s.tx_id)
      .map((s) => ({ kind: 'step' as const, s, subject: `${s.gtin}/${s.lot_code} from ${s.parent_gtin}/${s.parent_lot_code}` })),
    ...trace.holdings.map((h) => ({ kind: 'holding' as const, s: h, subject: `${h.quantity} of ${h.gtin}/${h.lot_code} at ${h.gln}` })),
  ];
  for (const c of claims) {
    const txId = c.s.tx_id as string;
    const problems: string[] = [];
    const { proof, tx } = await service.proveWithTransaction(txId).catch((err: unknown) => ({ proof: undefined, tx: undefined, err }));
    if (!proof) {
      findings.push({ kind: c.kind, subject: c.subject, txId, ok: false, problems: [`the ledger has no transaction ${txId}`] });
      continue;
    }
    problems.push(...proof.problems);
    if (String(proof.blockNumber) !== String(c.s.block_number))
      problems.push(`the indexer says block ${c.s.block_number}, the ledger has it in block ${proof.blockNumber}`);
    const lines = stockLines(tx?.event?.payload);
    if (c.kind === 'holding') {
      const h = trace.holdings.find((x) => x === c.s)!;
      const line = lines.filter((l) => l.gln === h.gln && l.gtin === h.gtin && l.lotCode === h.lot_code).pop();
      if (!line) problems.push(`transaction ${txId} does not move ${h.gtin}/${h.lot_code} at ${h.gln}`);
      else if (line.quantity !== h.quantity) problems.push(`the ledger leaves ${line.quantity} at ${h.gln} after ${txId}, the indexer says ${h.quantity}`);
    } else {
      const s = c.s as IndexedTrace['steps'][number];
      if (!lines.some((l) => l.gtin === s.gtin && l.lotCode === s.lot_code)) problems.push(`transaction ${txId} does not create lot ${s.gtin}/${s.lot_code}`);
    }
    findings.push({ kind: c.kind, subject: c.subject, txId, ok: problems.length === 0, problems });
  }
  return { ok: findings.every((f) => f.ok), findings };
}
