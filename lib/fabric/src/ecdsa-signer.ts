/**
 * Transaction signing with Node's own crypto (OpenSSL) instead of a pure
 * JavaScript curve: a submission signs three messages (proposal, transaction,
 * commit-status request), and under load the JavaScript signer was the
 * largest part of a client's CPU.
 *
 * The message is hashed with SHA-256 and signed in one native call; Fabric
 * accepts only low-S ECDSA signatures (s ≤ n/2, so a signature has one valid
 * form), so a high s is replaced by n − s before the DER encoding.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';

/** Group orders of the curves Fabric identities use. */
const ORDER: Record<string, bigint> = {
  prime256v1: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  secp384r1: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
};

/** The curve's group order, or undefined for a key this signer does not handle (not EC, or another curve). */
export function ecOrder(key: KeyObject): bigint | undefined {
  if (key.asymmetricKeyType !== 'ec') return undefined;
  return ORDER[key.asymmetricKeyDetails?.namedCurve ?? ''];
}

function derInteger(v: bigint): Buffer {
  let hex = v.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  // A leading byte with the high bit set would read as negative: DER puts a zero byte before it.
  if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }` (short-form lengths suffice up to P-384). */
export function derSignature(r: bigint, s: bigint): Buffer {
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/**
 * A signer over whole messages (pair it with the gateway's `hash.none`): SHA-256
 * and ECDSA natively, low-S, DER-encoded. Throws for a key it does not handle.
 */
export function nativeEcdsaSigner(privateKeyPem: string): (message: Uint8Array) => Promise<Uint8Array> {
  const key = createPrivateKey(privateKeyPem);
  const n = ecOrder(key);
  if (n === undefined) throw new Error(`native signing needs a P-256 or P-384 key, not ${key.asymmetricKeyType} ${key.asymmetricKeyDetails?.namedCurve ?? ''}`);
  const half = n >> 1n;
  return (message) => {
    // r and s as fixed-width big-endian halves (IEEE P1363), easier to normalise than DER.
    const raw = sign('sha256', message, { key, dsaEncoding: 'ieee-p1363' });
    const width = raw.length / 2;
    const r = BigInt(`0x${raw.subarray(0, width).toString('hex')}`);
    let s = BigInt(`0x${raw.subarray(width).toString('hex')}`);
    if (s > half) s = n - s;
    return Promise.resolve(derSignature(r, s));
  };
}
