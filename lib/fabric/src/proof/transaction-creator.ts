/**
 * Who signed a transaction as its creator: the MSP id and certificate in the
 * envelope's signature header. Tells which certificate of an identity (before
 * or after a renewal) submitted it.
 */
import * as protos from 'fabric-protos';
import type { LedgerBlock } from '../block-decoder';

/** The creator of transaction `txId` in `block`; throws when the block does not hold it. */
export function transactionCreator(block: LedgerBlock, txId: string): { mspId: string; certificatePem: string } {
  for (const entry of protos.common.Block.decode(block.raw).data?.data ?? []) {
    const payload = protos.common.Payload.decode(protos.common.Envelope.decode(entry).payload);
    const channelHeader = protos.common.ChannelHeader.decode(payload.header?.channel_header ?? new Uint8Array());
    if (channelHeader.tx_id !== txId) continue;
    const signatureHeader = protos.common.SignatureHeader.decode(payload.header?.signature_header ?? new Uint8Array());
    const id = protos.msp.SerializedIdentity.decode(signatureHeader.creator ?? new Uint8Array());
    return { mspId: id.mspid, certificatePem: Buffer.from(id.id_bytes ?? new Uint8Array()).toString('utf8') };
  }
  throw new Error(`block ${block.number} holds no transaction ${txId}`);
}
