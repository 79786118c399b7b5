/**
 * The two bits of DER the proof needs: Fabric's block header encoding (what
 * the next block's previous hash is computed over) and turning an ASN.1 ECDSA
 * signature into the fixed-size r||s form WebCrypto verifies.
 */

function length(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

function tlv(tag: number, body: Uint8Array): Uint8Array {
  const len = length(body.length);
  const out = new Uint8Array(1 + len.length + body.length);
  out[0] = tag;
  out.set(len, 1);
  out.set(body, 1 + len.length);
  return out;
}

function integer(n: bigint): Uint8Array {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (v > 0n);
  // A set top bit would read as negative: DER prepends a zero byte.
  if (bytes[0] & 0x80) bytes.unshift(0);
  return tlv(0x02, Uint8Array.from(bytes));
}

/** DER SEQUENCE { INTEGER number, OCTET STRING previousHash, OCTET STRING dataHash }. */
export function blockHeaderDer(number: bigint, previousHash: Uint8Array, dataHash: Uint8Array): Uint8Array {
  const parts = [integer(number), tlv(0x04, previousHash), tlv(0x04, dataHash)];
  const body = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    body.set(p, at);
    at += p.length;
  }
  return tlv(0x30, body);
}

/** ECDSA-Sig-Value (SEQUENCE { r INTEGER, s INTEGER }) → r||s, each `size` bytes. */
export function ecdsaDerToRaw(der: Uint8Array, size = 32): Uint8Array {
  let at = 0;
  const read = (tag: number): Uint8Array => {
    if (der[at++] !== tag) throw new Error('not an ECDSA signature');
    let len = der[at++];
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + der[at++];
    }
    const v = der.subarray(at, at + len);
    at += len;
    return v;
  };
  const seq = read(0x30);
  at = der.length - seq.length;
  const out = new Uint8Array(size * 2);
  for (const half of [0, 1]) {
    let v = read(0x02);
    while (v.length > size && v[0] === 0) v = v.subarray(1);
    if (v.length > size) throw new Error('ECDSA integer too long');
    out.set(v, half * size + size - v.length);
  }
  return out;
}
