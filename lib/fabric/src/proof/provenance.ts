/**
 * Provenance with proof: the upstream trace of a lot to its farms and the
 * downstream trace to every location still holding stock, read from a peer
 * the auditor trusts (its own organisation's), with every transaction that
 * wrote those facts proven independently (signatures against the channel's
 * MSP certificates, envelope in its block, block hashes linked to the tip).
 */
import * as protos from 'fabric-protos';
import type { LedgerBlock, LedgerTransaction } from '../block-decoder';
import type { LedgerClient } from '../ledger-client';
import { channelMspsFromConfigBlock, type ChannelMsps } from './channel-msps';
import { proveTransaction, type TransactionProof } from './transaction-proof';
import { CONTRACT } from '../../../domain/src';

export interface LotRef {
  gtin: string;
  lotCode: string;
}

/** One lot of the trace with the ledger keys whose history proves it. */
export interface TraceLot extends LotRef {
  direction: 'root' | 'upstream' | 'downstream';
  origin?: unknown;
  onHand: Array<{ gln: string; quantity: string }>;
  txIds: string[];
}

export interface Provenance {
  lot: LotRef;
  lots: TraceLot[];
  proofs: TransactionProof[];
  /** True when every transaction of the trace proved valid. */
  ok: boolean;
  tip: bigint;
}

/** One lot of the chaincode's trace answer, with its stock positions. */
export type TraceRecord = LotRef & { origin?: unknown; positions?: Array<{ gln: string; quantity: string }> };

/** The chaincode's answer to GetLotTrace: the lot, where its stock is, its ancestors and its descendants. */
export interface LotTraceAnswer {
  lot: TraceRecord;
  positions: Array<{ gln: string; quantity: string }>;
  ancestors: TraceRecord[];
  descendants: TraceRecord[];
}

export interface ProvenanceService {
  /**
   * The lot's trace with every transaction proven. With `trace`, that answer
   * (e.g. one scoped to a reader's organisation) is proven instead of the
   * whole trace the peer holds.
   */
  lotProvenance(lot: LotRef, opts?: { trace?: LotTraceAnswer }): Promise<Provenance>;
  proveTransaction(txId: string): Promise<TransactionProof>;
  /** The proof and the transaction as the trusted peer holds it (its chaincode event included). */
  proveWithTransaction(txId: string): Promise<{ proof: TransactionProof; tx?: LedgerTransaction }>;
}

interface HistoryEntry {
  txId: string;
}

export function createProvenanceService(opts: { ledger: LedgerClient; maxLinkBlocks?: number }): ProvenanceService {
  const { ledger } = opts;
  const maxLinkBlocks = BigInt(opts.maxLinkBlocks ?? 5000);

  async function query<T>(fn: string, ...args: string[]): Promise<T> {
    const out = await ledger.evaluate({ contract: CONTRACT.traceability, fn, args });
    return JSON.parse(out.toString('utf8')) as T;
  }

  async function historyTxIds(key: string): Promise<string[]> {
    const h = await query<{ history: HistoryEntry[] }>('GetHistory', key);
    return h.history.map((e) => e.txId);
  }

  /** Per-call caches: blocks by number and the channel MSPs. */
  function session() {
    const blocks = new Map<bigint, Promise<LedgerBlock>>();
    let msps: Promise<ChannelMsps> | undefined;
    let tip: Promise<bigint> | undefined;
    const block = (n: bigint) => {
      let b = blocks.get(n);
      if (!b) blocks.set(n, (b = ledger.blockByNumber(n)));
      return b;
    };
    return {
      block,
      tip: () => (tip ??= ledger.height().then((h) => h - 1n)),
      msps: () => (msps ??= ledger.configBlock().then((raw) => channelMspsFromConfigBlock(raw))),
      async prove(txId: string): Promise<TransactionProof> {
        return (await this.proveWithTx(txId)).proof;
      },
      async proveWithTx(txId: string): Promise<{ proof: TransactionProof; tx?: LedgerTransaction }> {
        const containing = await ledger.blockByTxId(txId);
        blocks.set(containing.number, Promise.resolve(containing));
        const tx = containing.transactions.find((t) => t.txId === txId);
        const raw = protos.common.Block.decode(containing.raw);
        const envelope = tx ? Buffer.from(raw.data?.data?.[tx.index] ?? []) : Buffer.alloc(0);
        const last = await this.tip();
        const until = containing.number + maxLinkBlocks < last ? containing.number + maxLinkBlocks : last;
        const next: LedgerBlock[] = [];
        for (let n = containing.number + 1n; n <= until; n++) next.push(await block(n));
        const proof = proveTransaction({
          txId,
          envelope,
          validationCode: tx?.validationCode ?? 'NOT_IN_BLOCK',
          block: containing,
          nextBlocks: next,
          msps: await this.msps(),
        });
        return { proof, tx };
      },
    };
  }

  return {
    async proveTransaction(txId) {
      return session().prove(txId);
    },
    async proveWithTransaction(txId) {
      return session().proveWithTx(txId);
    },
    async lotProvenance(lot, opts) {
      const s = session();
      const trace = opts?.trace ?? (await query<LotTraceAnswer>('GetLotTrace', lot.gtin, lot.lotCode));
      const entries: Array<[TraceLot['direction'], TraceRecord, Array<{ gln: string; quantity: string }>]> = [
        ['root', trace.lot, trace.positions],
        ...trace.ancestors.map((a): [TraceLot['direction'], TraceRecord, Array<{ gln: string; quantity: string }>] => ['upstream', a, []]),
        ...trace.descendants.map((d): [TraceLot['direction'], TraceRecord, Array<{ gln: string; quantity: string }>] => ['downstream', d, d.positions ?? []]),
      ];
      const lots: TraceLot[] = [];
      for (const [direction, rec, positions] of entries) {
        const keys = [`lot~${rec.gtin}~${rec.lotCode}`, ...positions.map((p) => `stock~${p.gln}~${rec.gtin}~${rec.lotCode}`)];
        const txIds = [...new Set((await Promise.all(keys.map(historyTxIds))).flat())];
        lots.push({
          direction,
          gtin: rec.gtin,
          lotCode: rec.lotCode,
          origin: rec.origin,
          onHand: positions.map((p) => ({ gln: p.gln, quantity: p.quantity })),
          txIds,
        });
      }
      const proofs: TransactionProof[] = [];
      for (const txId of [...new Set(lots.flatMap((l) => l.txIds))]) proofs.push(await s.prove(txId));
      return { lot, lots, proofs, ok: proofs.every((p) => p.ok), tip: await s.tip() };
    },
  };
}
