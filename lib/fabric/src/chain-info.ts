/**
 * What a peer's GetChainInfo answer says beyond the height: whether the peer
 * joined the channel from a ledger snapshot, and so which block it holds first.
 * Fabric 2.3 added `bootstrappingSnapshotInfo` (field 4) to BlockchainInfo;
 * fabric-protos 2.2 does not know it, so the field is read here by hand.
 */
import { Reader } from 'protobufjs';

/** The channel as one peer holds it. */
export interface ChainInfo {
  height: bigint;
  /** Lowest block number the peer can serve: 0, or the block after the snapshot it joined from. */
  firstBlock: bigint;
  /** Last block in the snapshot the peer joined from, when it joined from one. */
  snapshotBlock?: bigint;
}

function lastBlockInSnapshot(buf: Uint8Array): bigint | undefined {
  const r = Reader.create(buf);
  let last: bigint | undefined;
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === 0) last = BigInt(r.uint64().toString());
    else r.skipType(tag & 7);
  }
  return last ?? 0n;
}

/** Decodes a BlockchainInfo message (qscc GetChainInfo). */
export function decodeChainInfo(buf: Uint8Array): ChainInfo {
  const r = Reader.create(buf);
  let height = 0n;
  let snapshotBlock: bigint | undefined;
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 0) height = BigInt(r.uint64().toString());
    else if (field === 4 && (tag & 7) === 2) snapshotBlock = lastBlockInSnapshot(r.bytes());
    else r.skipType(tag & 7);
  }
  return { height, firstBlock: snapshotBlock === undefined ? 0n : snapshotBlock + 1n, ...(snapshotBlock === undefined ? {} : { snapshotBlock }) };
}
