/**
 * Decodes a raw committed block (as a peer stores it) into the facts the
 * service uses: header hashes, and per transaction its id, validation code,
 * endorsing organisations and chaincode event.
 */
import { createHash } from 'node:crypto';
import * as fabricCommon from 'fabric-common';
import * as protos from 'fabric-protos';

// fabric-common ships BlockDecoder without type declarations.
const { BlockDecoder } = fabricCommon as unknown as { BlockDecoder: { decodeBlock(block: unknown): unknown } };

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

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function derInteger(value: bigint): Buffer {
  const bytes: number[] = [];
  let v = value;
  do {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (v > 0n);
  if (bytes[0] & 0x80) bytes.unshift(0);
  return Buffer.concat([Buffer.from([0x02]), derLength(bytes.length), Buffer.from(bytes)]);
}

function derOctets(b: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x04]), derLength(b.length), b]);
}

/** Fabric's block header hash: SHA-256 over DER SEQUENCE { number, previousHash, dataHash }. */
export function blockHeaderHash(number: bigint, previousHash: Buffer, dataHash: Buffer): Buffer {
  const body = Buffer.concat([derInteger(number), derOctets(previousHash), derOctets(dataHash)]);
  const seq = Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
  return createHash('sha256').update(seq).digest();
}

const toBuffer = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array());

/* eslint-disable @typescript-eslint/no-explicit-any -- BlockDecoder output is untyped */
function decodeTransaction(envelope: any, index: number, filter: number[]): LedgerTransaction {
  const header = envelope.payload?.header ?? {};
  const ch = header.channel_header ?? {};
  const creator = header.signature_header?.creator ?? {};
  const action = envelope.payload?.data?.actions?.[0];
  const ccAction = action?.payload?.action;
  const prp = ccAction?.proposal_response_payload;
  const ext = prp?.extension;
  const input = action?.payload?.chaincode_proposal_payload?.input?.chaincode_spec?.input;
  const args: string[] = (input?.args ?? []).map((a: Buffer) => Buffer.from(a).toString('utf8'));
  const ev = ext?.events;
  const codeNum = filter[index];
  return {
    txId: String(ch.tx_id ?? ''),
    index,
    validationCode: (protos.protos.TxValidationCode as any)[codeNum] ?? String(codeNum),
    type: String(ch.typeString ?? ch.type ?? ''),
    creatorMspId: String(creator.mspid ?? creator.Mspid ?? ''),
    endorserMspIds: (ccAction?.endorsements ?? []).map((e: any) => String(e.endorser?.mspid ?? e.endorser?.Mspid ?? '')),
    chaincodeId: ext?.chaincode_id?.name,
    args,
    event: ev?.event_name ? { name: String(ev.event_name), payload: Buffer.from(ev.payload ?? []) } : undefined,
    timestamp: ch.timestamp ? new Date(ch.timestamp).toISOString() : '',
  };
}

/** Decodes a raw common.Block. */
export function decodeBlock(raw: Buffer): LedgerBlock {
  const proto = protos.common.Block.decode(raw);
  const number = BigInt(proto.header?.number?.toString() ?? '0');
  const previousHash = toBuffer(proto.header?.previous_hash);
  const dataHash = toBuffer(proto.header?.data_hash);
  const dataHasher = createHash('sha256');
  for (const d of proto.data?.data ?? []) dataHasher.update(d);
  const decoded = BlockDecoder.decodeBlock(proto) as any;
  const filter: number[] = Array.from(decoded.metadata?.metadata?.[2] ?? []);
  return {
    number,
    headerHash: blockHeaderHash(number, previousHash, dataHash),
    previousHash,
    dataHash,
    computedDataHash: dataHasher.digest(),
    transactions: (decoded.data?.data ?? []).map((env: any, i: number) => decodeTransaction(env, i, filter)),
    raw,
  };
}
