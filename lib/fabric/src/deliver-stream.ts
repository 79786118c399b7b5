/**
 * Committed blocks pushed by a peer's Deliver service: one signed seek request
 * from a block number with no end, then the peer streams every block as it is
 * committed, in order. Raw block bytes are kept as the peer sent them (the
 * response is split with a protobuf reader, not decoded and re-encoded), so
 * hashes are computed over exactly what the peer stored.
 *
 * Reading a block at a time through the query system chaincode costs a signed
 * proposal and a signed response per block; a Deliver stream costs one
 * request for the whole ledger and reports new blocks without polling.
 */
import { X509Certificate, createHash, randomBytes, sign } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import * as protos from 'fabric-protos';
import Long from 'long';
import { Reader } from 'protobufjs';
import { derInteger, derSequence } from './der';

export interface DeliverTarget {
  /** host:port of the peer. */
  endpoint: string;
  tlsCaPem: string;
  /** Host name the peer's TLS certificate carries, when not the endpoint's. */
  hostnameOverride?: string;
  channel: string;
  mspId: string;
  certificatePem: string;
  privateKeyPem: string;
  /** Client TLS pair for peers that require one; its hash is bound into the request. */
  clientTls?: { certificatePem: string; privateKeyPem: string };
}

/**
 * SHA-256 of the client TLS certificate (DER). A peer requiring client TLS
 * checks that the signed request names the certificate of the connection it
 * came on, so a captured request cannot be replayed over another session.
 */
export function tlsCertHash(certificatePem: string): Buffer {
  return createHash('sha256').update(new X509Certificate(certificatePem).raw).digest();
}

/** Order of the NIST P-256 group: ECDSA signatures must use the lower of s and n - s (Fabric refuses high s). */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** ECDSA P-256 / SHA-256 signature in DER with a low s. */
export function signLowS(privateKeyPem: string, data: Uint8Array): Buffer {
  const rs = sign('sha256', data, { key: privateKeyPem, dsaEncoding: 'ieee-p1363' });
  const r = BigInt(`0x${rs.subarray(0, 32).toString('hex')}`);
  let s = BigInt(`0x${rs.subarray(32).toString('hex')}`);
  if (s > P256_N / 2n) s = P256_N - s;
  return derSequence(derInteger(r), derInteger(s));
}

/** The signed envelope asking for every block from `start` on, waiting for blocks not yet committed. */
export function seekEnvelope(t: DeliverTarget, start: bigint): Uint8Array {
  const { common, msp, orderer } = protos;
  const now = Date.now();
  const nonce = randomBytes(24);
  const creator = msp.SerializedIdentity.encode({ mspid: t.mspId, id_bytes: Buffer.from(t.certificatePem) }).finish();
  const channelHeader = common.ChannelHeader.encode({
    type: common.HeaderType.DELIVER_SEEK_INFO,
    version: 0,
    timestamp: { seconds: Long.fromNumber(Math.floor(now / 1000)), nanos: (now % 1000) * 1e6 },
    channel_id: t.channel,
    tx_id: createHash('sha256').update(nonce).update(creator).digest('hex'),
    epoch: Long.UZERO,
    tls_cert_hash: t.clientTls ? tlsCertHash(t.clientTls.certificatePem) : undefined,
  }).finish();
  const signatureHeader = common.SignatureHeader.encode({ creator, nonce }).finish();
  const seek = orderer.SeekInfo.encode({
    start: { specified: { number: Long.fromString(start.toString(), true) } },
    stop: { specified: { number: Long.MAX_UNSIGNED_VALUE } },
    behavior: orderer.SeekInfo.SeekBehavior.BLOCK_UNTIL_READY,
  }).finish();
  const payload = common.Payload.encode({ header: { channel_header: channelHeader, signature_header: signatureHeader }, data: seek }).finish();
  return common.Envelope.encode({ payload, signature: signLowS(t.privateKeyPem, payload) }).finish();
}

/** DeliverResponse: field 1 status (enum), field 2 block (bytes); other kinds are not asked for. */
function splitResponse(buf: Buffer): { status?: number; block?: Buffer } {
  const r = Reader.create(buf);
  const out: { status?: number; block?: Buffer } = {};
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) out.status = r.int32();
    else if (tag >>> 3 === 2) out.block = Buffer.from(r.bytes());
    else r.skipType(tag & 7);
  }
  return out;
}

const statusName = (s: number) => (protos.common.Status as unknown as Record<number, string>)[s] ?? String(s);

/**
 * Raw blocks from `start` in the peer's order, for as long as the caller
 * iterates. At most `highWater` undelivered blocks are buffered: the stream is
 * paused (gRPC flow control holds the peer back) until the caller catches up.
 * Throws when the peer ends the stream or the connection fails.
 */
export async function* deliverRawBlocks(t: DeliverTarget, start: bigint, opts: { signal?: AbortSignal; highWater?: number } = {}): AsyncGenerator<Buffer> {
  const highWater = Math.max(1, opts.highWater ?? 64);
  const credentials = t.clientTls
    ? grpc.credentials.createSsl(Buffer.from(t.tlsCaPem), Buffer.from(t.clientTls.privateKeyPem), Buffer.from(t.clientTls.certificatePem))
    : grpc.credentials.createSsl(Buffer.from(t.tlsCaPem));
  const client = new grpc.Client(t.endpoint, credentials, {
    'grpc.ssl_target_name_override': t.hostnameOverride ?? t.endpoint.split(':')[0],
    'grpc.max_receive_message_length': -1,
    'grpc.keepalive_time_ms': 60_000,
  });
  const call = client.makeBidiStreamRequest(
    '/protos.Deliver/Deliver',
    (b: Uint8Array) => Buffer.from(b),
    (b: Buffer) => b,
  );
  const queue: Buffer[] = [];
  let failure: Error | undefined;
  let notify: (() => void) | undefined;
  const poke = () => {
    const n = notify;
    notify = undefined;
    n?.();
  };
  let paused = false;
  call.on('data', (buf: Buffer) => {
    try {
      const res = splitResponse(buf);
      if (res.block) {
        queue.push(res.block);
        if (queue.length >= highWater && !paused) {
          paused = true;
          call.pause();
        }
      } else if (res.status !== undefined) {
        failure ??= new Error(`peer ${t.endpoint} ended the block stream: ${statusName(res.status)}`);
      }
    } catch (err) {
      failure ??= new Error(`unreadable Deliver response from ${t.endpoint}: ${(err as Error).message}`);
    }
    poke();
  });
  call.on('error', (err: Error) => {
    failure ??= new Error(`block stream from ${t.endpoint} failed: ${err.message}`);
    poke();
  });
  call.on('end', () => {
    failure ??= new Error(`peer ${t.endpoint} closed the block stream`);
    poke();
  });
  const onAbort = () => poke();
  opts.signal?.addEventListener('abort', onAbort);
  try {
    call.write(seekEnvelope(t, start));
    while (!opts.signal?.aborted) {
      const raw = queue.shift();
      if (raw) {
        if (paused && queue.length <= highWater / 2) {
          paused = false;
          call.resume();
        }
        yield raw;
        continue;
      }
      if (failure) throw failure;
      await new Promise<void>((resolve) => {
        notify = resolve;
      });
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    call.removeAllListeners('data');
    call.on('error', () => undefined);
    call.cancel();
    client.close();
  }
}
