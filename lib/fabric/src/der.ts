/**
 * The few ASN.1 DER encodings Fabric needs from a client: block header
 * hashes and ECDSA signatures are SEQUENCEs of INTEGERs and OCTET STRINGs.
 */

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** INTEGER of a non-negative value (a leading zero byte keeps it positive). */
export function derInteger(value: bigint): Buffer {
  const bytes: number[] = [];
  let v = value;
  do {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (v > 0n);
  if (bytes[0] & 0x80) bytes.unshift(0);
  return Buffer.concat([Buffer.from([0x02]), derLength(bytes.length), Buffer.from(bytes)]);
}

export function derOctets(b: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x04]), derLength(b.length), b]);
}

export function derSequence(...items: Buffer[]): Buffer {
  const body = Buffer.concat(items);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}
