/**
 * Decoding of the Fabric structures a proof needs (block, envelope, identities,
 * endorsements, channel config), with fabric-protos' static protobuf module.
 */
import pb from 'fabric-protos/bundle.js';

const { common, protos, msp } = pb;
const u8 = (b: Uint8Array | null | undefined): Uint8Array => (b ? new Uint8Array(b) : new Uint8Array());
const text = (b: Uint8Array | null | undefined): string => new TextDecoder().decode(u8(b));

export interface Identity {
  mspId: string;
  certPem: string;
}

export interface Endorsement {
  identity: Identity;
  /** What the endorser signed: proposal response payload followed by the endorser's serialized identity. */
  signed: Uint8Array;
  signature: Uint8Array;
}

export interface DecodedEnvelope {
  txId: string;
  channel: string;
  timestamp: Date;
  payload: Uint8Array;
  signature: Uint8Array;
  creator: Identity;
  endorsements: Endorsement[];
  chaincode?: string;
}

export interface DecodedBlock {
  number: bigint;
  previousHash: Uint8Array;
  dataHash: Uint8Array;
  data: Uint8Array[];
  /** Per transaction validation code (TRANSACTIONS_FILTER), by data index. */
  validation: Uint8Array;
}

export function decodeBlock(raw: Uint8Array): DecodedBlock {
  const b = common.Block.decode(raw);
  return {
    number: BigInt(String(b.header?.number ?? 0)),
    previousHash: u8(b.header?.previous_hash),
    dataHash: u8(b.header?.data_hash),
    data: (b.data?.data ?? []).map(u8),
    validation: u8(b.metadata?.metadata?.[2]),
  };
}

function identity(serialized: Uint8Array | null | undefined): Identity {
  const id = msp.SerializedIdentity.decode(u8(serialized));
  return { mspId: id.mspid, certPem: text(id.id_bytes) };
}

/** The transaction id of a data entry, or undefined for anything that is not an envelope with a channel header. */
export function envelopeTxId(entry: Uint8Array): string | undefined {
  try {
    const env = common.Envelope.decode(entry);
    const payload = common.Payload.decode(u8(env.payload));
    return common.ChannelHeader.decode(u8(payload.header?.channel_header)).tx_id || undefined;
  } catch {
    return undefined;
  }
}

export function decodeEnvelope(entry: Uint8Array): DecodedEnvelope {
  const env = common.Envelope.decode(entry);
  const payloadBytes = u8(env.payload);
  const payload = common.Payload.decode(payloadBytes);
  const ch = common.ChannelHeader.decode(u8(payload.header?.channel_header));
  const sh = common.SignatureHeader.decode(u8(payload.header?.signature_header));
  const endorsements: Endorsement[] = [];
  let chaincode: string | undefined;
  if (ch.type === 3) {
    // ENDORSER_TRANSACTION: each action carries the endorsed proposal response and its endorsements.
    const tx = protos.Transaction.decode(u8(payload.data));
    for (const action of tx.actions ?? []) {
      const cap = protos.ChaincodeActionPayload.decode(u8(action.payload));
      const prp = u8(cap.action?.proposal_response_payload);
      for (const e of cap.action?.endorsements ?? []) {
        const endorser = u8(e.endorser);
        const signed = new Uint8Array(prp.length + endorser.length);
        signed.set(prp);
        signed.set(endorser, prp.length);
        endorsements.push({ identity: identity(endorser), signed, signature: u8(e.signature) });
      }
    }
    try {
      const ext = protos.ChaincodeHeaderExtension.decode(u8(ch.extension));
      chaincode = ext.chaincode_id?.name || undefined;
    } catch {
      chaincode = undefined;
    }
  }
  const seconds = Number(String(ch.timestamp?.seconds ?? 0));
  return {
    txId: ch.tx_id,
    channel: ch.channel_id,
    timestamp: new Date(seconds * 1000 + Math.floor((ch.timestamp?.nanos ?? 0) / 1e6)),
    payload: payloadBytes,
    signature: u8(env.signature),
    creator: identity(sh.creator),
    endorsements,
    chaincode,
  };
}

export interface ChannelMsp {
  mspId: string;
  rootCerts: string[];
  intermediateCerts: string[];
}

/** Every MSP (application and orderer organisations) of a config block. */
export function channelMsps(configBlockRaw: Uint8Array): ChannelMsp[] {
  const block = common.Block.decode(configBlockRaw);
  const env = common.Envelope.decode(u8(block.data?.data?.[0]));
  const payload = common.Payload.decode(u8(env.payload));
  const configEnv = common.ConfigEnvelope.decode(u8(payload.data));
  const out: ChannelMsp[] = [];
  for (const section of ['Application', 'Orderer']) {
    const groups = configEnv.config?.channel_group?.groups?.[section]?.groups ?? {};
    for (const org of Object.values<any>(groups)) {
      const value = org?.values?.MSP?.value;
      if (!value) continue;
      const mspConfig = msp.MSPConfig.decode(u8(value));
      const fabric = msp.FabricMSPConfig.decode(u8(mspConfig.config));
      if (!fabric.name) continue;
      out.push({ mspId: fabric.name, rootCerts: (fabric.root_certs ?? []).map(text), intermediateCerts: (fabric.intermediate_certs ?? []).map(text) });
    }
  }
  return out;
}

/** Names of the validation codes the peers write into TRANSACTIONS_FILTER. */
export const validationCodeName = (c: number): string => (protos.TxValidationCode as Record<number, string>)[c] ?? String(c);
