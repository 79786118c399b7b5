import { expect } from 'chai';
import { generateKeyPairSync, verify } from 'node:crypto';
import { derSignature, ecOrder, nativeEcdsaSigner } from '../../../lib/fabric/src/ecdsa-signer';

/** r and s of a DER ECDSA signature (short-form lengths). */
function parseDer(der: Uint8Array): { r: bigint; s: bigint } {
  const b = Buffer.from(der);
  expect(b[0]).to.equal(0x30);
  expect(b[1]).to.equal(b.length - 2);
  const rLen = b[3];
  const r = BigInt(`0x${b.subarray(4, 4 + rLen).toString('hex')}`);
  const sLen = b[5 + rLen];
  const s = BigInt(`0x${b.subarray(6 + rLen, 6 + rLen + sLen).toString('hex')}`);
  expect(6 + rLen + sLen).to.equal(b.length);
  return { r, s };
}

describe('native ECDSA signing of transactions', () => {
  for (const namedCurve of ['prime256v1', 'secp384r1']) {
    it(`${namedCurve}: every signature verifies over SHA-256 of the message and is low-S`, async () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
      const n = ecOrder(privateKey)!;
      const signer = nativeEcdsaSigner(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
      // Half of all raw ECDSA signatures have a high s: 200 of them would show one that escaped.
      for (let i = 0; i < 200; i++) {
        const message = Buffer.from(`proposal ${i}`);
        const der = await signer(message);
        expect(verify('sha256', message, publicKey, der), `signature ${i}`).to.equal(true);
        const { s } = parseDer(der);
        expect(s <= n / 2n, `signature ${i} has a high s`).to.equal(true);
        expect(verify('sha256', Buffer.from(`proposal ${i + 1}`), publicKey, der)).to.equal(false);
      }
    });
  }

  it('encodes DER integers with a zero byte before a set high bit', () => {
    expect(derSignature(0x80n, 1n).toString('hex')).to.equal('30070202008002' + '0101');
    expect(derSignature(0x7fn, 0x0100n).toString('hex')).to.equal('300702017f02020100');
  });

  it('declines keys it does not handle, so the library signer is used for them', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    expect(ecOrder(privateKey)).to.equal(undefined);
    expect(() => nativeEcdsaSigner(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString())).to.throw(/P-256 or P-384/);
  });
});
