/**
 * Independent proof that a transaction is on the ledger as claimed: its
 * envelope is in the block, the block's data hash covers it, the block links
 * to the chain, the creator's and every endorser's signature verify, and their
 * certificates chain to the channel's MSP CAs. Works on raw bytes fetched from
 * a peer the auditor trusts (its own), so nothing here trusts an indexer.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import * as protos from 'fabric-protos';
import { decodeBlock, type LedgerBlock } from '../block-decoder';
import { certificateProblem, type ChannelMsps } from './channel-msps';

export interface SignatureCheck {
  role: 'creator' | 'endorser';
  mspId: string;
  valid: boolean;
  problem?: string;
}

export interface TransactionProof {
  txId: string;
  blockNumber: bigint;
  validationCode: string;
  creatorMspId: string;
  endorserMspIds: string[];
  signatures: SignatureCheck[];
  /** The envelope's bytes are one of the block's data entries. */
  inBlock: boolean;
  /** The block header's data hash matches the block's contents. */
  dataHashValid: boolean;
  /** Header hashes link this block to every following block up to `linkedTo`. */
  linkedTo: bigint;
  /** True when every check passed and the transaction is VALID. */
  ok: boolean;
  problems: string[];
}

type Bytes = Uint8Array | null | undefined;
/** protobuf leaves absent bytes fields null; treat them as empty. */
const bytes = (b: Bytes): Uint8Array => b ?? new Uint8Array();
const pem = (idBytes: Bytes) => Buffer.from(bytes(idBytes)).toString('utf8');

function checkSignature(msps: ChannelMsps, role: SignatureCheck['role'], identityBytes: Bytes, signed: Buffer, signature: Bytes, at: Date): SignatureCheck {
  const id = protos.msp.SerializedIdentity.decode(bytes(identityBytes));
  const mspId = id.mspid;
  const certPem = pem(id.id_bytes);
  const problem = certificateProblem(msps, mspId, certPem, at);
  if (problem) return { role, mspId, valid: false, problem };
  let valid = false;
  try {
    valid = verify('sha256', signed, createPublicKey(certPem), Buffer.from(bytes(signature)));
  } catch {
    valid = false;
  }
  return valid ? { role, mspId, valid } : { role, mspId, valid, problem: `the ${role} signature of ${mspId} does not verify` };
}

/**
 * Verifies one transaction's envelope against its block and the channel MSPs.
 * `nextBlocks` are the blocks after the transaction's block, in order, used to
 * check the hash chain (pass the blocks up to the tip the auditor trusts).
 */
export function proveTransaction(opts: {
  txId: string;
  envelope: Buffer;
  validationCode: string;
  block: Buffer | LedgerBlock;
  nextBlocks?: Array<Buffer | LedgerBlock>;
  msps: ChannelMsps;
}): TransactionProof {
  const problems: string[] = [];
  const block = Buffer.isBuffer(opts.block) ? decodeBlock(opts.block) : opts.block;
  const rawBlock = protos.common.Block.decode(block.raw);
  const inBlock = (rawBlock.data?.data ?? []).some((d) => Buffer.from(d).equals(opts.envelope));
  if (!inBlock) problems.push(`the transaction's envelope is not in block ${block.number}`);
  const dataHashValid = block.dataHash.equals(block.computedDataHash);
  if (!dataHashValid) problems.push(`block ${block.number}'s data hash does not match its contents`);

  let linkedTo = block.number;
  let prev = block;
  for (const nb of opts.nextBlocks ?? []) {
    const next = Buffer.isBuffer(nb) ? decodeBlock(nb) : nb;
    if (next.number !== prev.number + 1n || !next.previousHash.equals(prev.headerHash) || !next.dataHash.equals(next.computedDataHash)) {
      problems.push(`block ${next.number} does not link to block ${prev.number}`);
      break;
    }
    linkedTo = next.number;
    prev = next;
  }

  const env = protos.common.Envelope.decode(opts.envelope);
  const payload = protos.common.Payload.decode(bytes(env.payload));
  const channelHeader = protos.common.ChannelHeader.decode(bytes(payload.header?.channel_header));
  if (channelHeader.tx_id !== opts.txId) problems.push(`the envelope holds transaction ${channelHeader.tx_id}, not ${opts.txId}`);
  const at = new Date(Number(channelHeader.timestamp?.seconds ?? 0) * 1000);
  const sigHeader = protos.common.SignatureHeader.decode(bytes(payload.header?.signature_header));
  const signatures: SignatureCheck[] = [checkSignature(opts.msps, 'creator', sigHeader.creator, Buffer.from(bytes(env.payload)), env.signature, at)];
  const tx = protos.protos.Transaction.decode(bytes(payload.data));
  for (const action of tx.actions ?? []) {
    const cap = protos.protos.ChaincodeActionPayload.decode(bytes(action.payload));
    const endorsed = cap.action!;
    for (const e of endorsed.endorsements ?? []) {
      const signed = Buffer.concat([Buffer.from(bytes(endorsed.proposal_response_payload)), Buffer.from(bytes(e.endorser))]);
      signatures.push(checkSignature(opts.msps, 'endorser', e.endorser, signed, e.signature, at));
    }
  }
  for (const s of signatures) if (!s.valid) problems.push(s.problem ?? `${s.role} ${s.mspId} invalid`);
  if (opts.validationCode !== 'VALID') problems.push(`the peers marked the transaction ${opts.validationCode}`);
  const creator = signatures[0];
  const endorsers = signatures.filter((s) => s.role === 'endorser');
  if (endorsers.length === 0) problems.push('the transaction carries no endorsement');
  return {
    txId: opts.txId,
    blockNumber: block.number,
    validationCode: opts.validationCode,
    creatorMspId: creator.mspId,
    endorserMspIds: endorsers.map((s) => s.mspId),
    signatures,
    inBlock,
    dataHashValid,
    linkedTo,
    ok: problems.length === 0,
    problems,
  };
}

/** SHA-256 of an envelope, hex (a stable fingerprint to show an auditor). */
export function envelopeHash(envelope: Buffer): string {
  return createHash('sha256').update(envelope).digest('hex');
}
