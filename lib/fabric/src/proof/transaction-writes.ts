/**
 * What a transaction wrote: the world-state keys of its read/write set, in
 * the readable form `type~attr~…` (a composite key's parts joined by `~`), per
 * chaincode namespace. Read from the envelope as the block holds it, so it
 * tells which records a proof of the transaction would reveal.
 */
import * as protos from 'fabric-protos';
import type { LedgerBlock } from '../block-decoder';

export interface WrittenKey {
  namespace: string;
  key: string;
}

const NS = '\u0000';

/** `\u0000stock\u0000a\u0000b\u0000` → `stock~a~b`; a simple key stays as it is. */
export function readableWorldStateKey(key: string): string {
  if (!key.startsWith(NS)) return key;
  return key
    .slice(1, key.endsWith(NS) ? -1 : undefined)
    .split(NS)
    .join('~');
}

const empty = new Uint8Array();

/** The keys the data entry `index` of `block` wrote; none for a configuration or any other non-endorser entry. */
export function transactionWrites(block: Pick<LedgerBlock, 'raw'>, index: number): WrittenKey[] {
  const entry = protos.common.Block.decode(block.raw).data?.data?.[index];
  if (!entry) return [];
  const payload = protos.common.Payload.decode(protos.common.Envelope.decode(entry).payload ?? empty);
  const header = protos.common.ChannelHeader.decode(payload.header?.channel_header ?? empty);
  if (header.type !== (protos.common.HeaderType.ENDORSER_TRANSACTION as number)) return [];
  const out: WrittenKey[] = [];
  for (const action of protos.protos.Transaction.decode(payload.data ?? empty).actions ?? []) {
    const cap = protos.protos.ChaincodeActionPayload.decode(action.payload ?? empty);
    const prp = protos.protos.ProposalResponsePayload.decode(cap.action?.proposal_response_payload ?? empty);
    const results = protos.protos.ChaincodeAction.decode(prp.extension ?? empty).results;
    if (!results?.length) continue;
    for (const ns of protos.rwset.TxReadWriteSet.decode(results).ns_rwset ?? []) {
      if (!ns.rwset?.length) continue;
      for (const w of protos.kvrwset.KVRWSet.decode(ns.rwset).writes ?? [])
        out.push({ namespace: ns.namespace ?? '', key: readableWorldStateKey(w.key ?? '') });
    }
  }
  return out;
}
