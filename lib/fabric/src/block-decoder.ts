/**
 * Decodes a raw committed block (as a peer stores it) into the facts the
 * service uses: header hashes, and per transaction its id, validation code,
 * endorsing organisations and chaincode event.
 */
import { createHash } from 'node:crypto';
import * as protos from 'fabric-protos';
import { derInteger, derOctets, derSequence } from './der';

/** One transaction of a committed block. */
export interface LedgerTransaction {
  txId: string;
  /** Position in the block. */
  index: number;
  /** e.g. VALID, MVCC_READ_CONFLICT, ENDORSEMENT_POLICY_FAILURE. */
  validationCode: string;
  /** ENDORSER_TRANSACTION or CONFIG. */
  type: string;
  /** MSP id of the submitting identity. */
  creatorMspId: string;
  /** MSP ids of the endorsers. */
  endorserMspIds: string[];
  chaincodeId?: string;
  /** Chaincode function and arguments (as strings). */
  args: string[];
  /** The transaction's chaincode event, if any. */
  event?: { name: string; payload: Buffer };
  /** Seconds since the epoch from the channel header, as an ISO string. */
  timestamp: string;
}

/** A committed block with its hashes checked against its own bytes. */
export interface LedgerBlock {
  number: bigint;
  /** SHA-256 of the ASN.1 encoded header: what the next block's previousHash must be. */
  headerHash: Buffer;
  previousHash: Buffer;
  dataHash: Buffer;
  /** SHA-256 over the block's data entries; equals dataHash for an intact block. */
  computedDataHash: Buffer;
  transactions: LedgerTransaction[];
  /** The block as the peer returned it. */
  raw: Buffer;
}

/** Fabric's block header hash: SHA-256 over DER SEQUENCE { number, previousHash, dataHash }. */
export function blockHeaderHash(number: bigint, previousHash: Buffer, dataHash: Buffer): Buffer {
  return createHash('sha256')
    .update(derSequence(derInteger(number), derOctets(previousHash), derOctets(dataHash)))
    .digest();
}

const toBuffer = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array());

const { common, protos: peer, msp } = protos;
const headerTypeName = (t: number) => (common.HeaderType as unknown as Record<number, string>)[t] ?? String(t);
const validationCodeName = (c: number | undefined) =>
  c === undefined ? 'UNKNOWN' : ((peer.TxValidationCode as unknown as Record<number, string>)[c] ?? String(c));
const mspOf = (identity: Uint8Array | null | undefined) => (identity?.length ? msp.SerializedIdentity.decode(identity).mspid : '');

/** ISO time of a protobuf Timestamp at millisecond precision (the channel header's clock). */
function isoTime(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): string {
  if (!ts) return '';
  return new Date(Number(String(ts.seconds ?? 0)) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString();
}

/**
 * Decodes one envelope down to the facts above only: channel and signature
 * headers, and for an endorser transaction its first action's chaincode input,
 * endorsers and event. Read/write sets and certificates are left undecoded.
 */
function decodeTransaction(envelope: Uint8Array, index: number, filter: Uint8Array): LedgerTransaction {
  const payload = common.Payload.decode(common.Envelope.decode(envelope).payload);
  const ch = common.ChannelHeader.decode(payload.header?.channel_header ?? new Uint8Array());
  const sh = common.SignatureHeader.decode(payload.header?.signature_header ?? new Uint8Array());
  const tx: LedgerTransaction = {
    txId: ch.tx_id,
    index,
    validationCode: validationCodeName(filter[index]),
    type: headerTypeName(ch.type),
    creatorMspId: mspOf(sh.creator),
    endorserMspIds: [],
    args: [],
    timestamp: isoTime(ch.timestamp),
  };
  if (ch.type !== (common.HeaderType.ENDORSER_TRANSACTION as number)) return tx;
  const action = peer.Transaction.decode(payload.data).actions[0];
  if (!action) return tx;
  const cap = peer.ChaincodeActionPayload.decode(action.payload ?? new Uint8Array());
  const proposal = peer.ChaincodeProposalPayload.decode(cap.chaincode_proposal_payload);
  const input = peer.ChaincodeInvocationSpec.decode(proposal.input).chaincode_spec?.input;
  tx.args = (input?.args ?? []).map((a) => Buffer.from(a).toString('utf8'));
  tx.endorserMspIds = (cap.action?.endorsements ?? []).map((e) => mspOf(e.endorser));
  const prp = peer.ProposalResponsePayload.decode(cap.action?.proposal_response_payload ?? new Uint8Array());
  const ccAction = peer.ChaincodeAction.decode(prp.extension);
  tx.chaincodeId = ccAction.chaincode_id?.name || undefined;
  if (ccAction.events?.length) {
    const ev = peer.ChaincodeEvent.decode(ccAction.events);
    if (ev.event_name) tx.event = { name: ev.event_name, payload: toBuffer(ev.payload) };
  }
  return tx;
}

/** Decodes a raw common.Block. */
export function decodeBlock(raw: Buffer): LedgerBlock {
  const proto = common.Block.decode(raw);
  const number = BigInt(proto.header?.number?.toString() ?? '0');
  const previousHash = toBuffer(proto.header?.previous_hash);
  const dataHash = toBuffer(proto.header?.data_hash);
  const entries = proto.data?.data ?? [];
  const dataHasher = createHash('sha256');
  for (const d of entries) dataHasher.update(d);
  const filter = proto.metadata?.metadata?.[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array();
  return {
    number,
    headerHash: blockHeaderHash(number, previousHash, dataHash),
    previousHash,
    dataHash,
    computedDataHash: dataHasher.digest(),
    transactions: entries.map((env, i) => decodeTransaction(env, i, filter)),
    raw,
  };
}
