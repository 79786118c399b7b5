import { expect } from 'chai';
import { createPublicKey, verify } from 'node:crypto';
import * as protos from 'fabric-protos';
import { seekEnvelope, signLowS, type DeliverTarget } from '../../../lib/fabric/src';
import { createTestPki, type TestIdentity, type TestPki } from '../../fixtures/test-pki';

const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** r and s of a DER ECDSA signature: SEQUENCE { INTEGER r, INTEGER s } (short lengths for P-256). */
function rs(der: Buffer): { r: bigint; s: bigint } {
  expect(der[0]).to.equal(0x30);
  expect(der[1]).to.equal(der.length - 2);
  const int = (at: number) => {
    expect(der[at]).to.equal(0x02);
    const len = der[at + 1];
    return { value: BigInt(`0x${der.subarray(at + 2, at + 2 + len).toString('hex')}`), end: at + 2 + len };
  };
  const r = int(2);
  const s = int(r.end);
  expect(s.end).to.equal(der.length);
  return { r: r.value, s: s.value };
}

describe('Deliver stream seek request', () => {
  let pki: TestPki;
  let peerAdmin: TestIdentity;
  let target: DeliverTarget;
  before(() => {
    pki = createTestPki();
    peerAdmin = pki.issue(pki.ca('retailer'), 'indexer');
    target = { endpoint: '127.0.0.1:1', tlsCaPem: '', channel: 'supplychain', mspId: 'RetailerMSP', ...peerAdmin };
  });
  after(() => pki.close());

  it('is signed by the identity: the signature over the payload verifies against its certificate', () => {
    const env = protos.common.Envelope.decode(seekEnvelope(target, 7n));
    const key = createPublicKey(peerAdmin.certificatePem);
    expect(verify('sha256', env.payload, key, Buffer.from(env.signature))).to.equal(true);
    // Any change to the payload breaks it.
    const changed = Buffer.from(env.payload);
    changed[changed.length - 1] ^= 1;
    expect(verify('sha256', changed, key, Buffer.from(env.signature))).to.equal(false);
    // And another identity's key does not verify it.
    const other = pki.issue(pki.ca('supplier'), 'someone');
    expect(verify('sha256', env.payload, createPublicKey(other.certificatePem), Buffer.from(env.signature))).to.equal(false);
  });

  it('names the identity, the channel and the block to start from', () => {
    const env = protos.common.Envelope.decode(seekEnvelope(target, 7n));
    const payload = protos.common.Payload.decode(env.payload);
    const ch = protos.common.ChannelHeader.decode(payload.header!.channel_header!);
    expect(ch.type).to.equal(protos.common.HeaderType.DELIVER_SEEK_INFO);
    expect(ch.channel_id).to.equal('supplychain');
    const sh = protos.common.SignatureHeader.decode(payload.header!.signature_header!);
    const creator = protos.msp.SerializedIdentity.decode(sh.creator);
    expect(creator.mspid).to.equal('RetailerMSP');
    expect(Buffer.from(creator.id_bytes).toString('utf8')).to.equal(peerAdmin.certificatePem);
    const seek = protos.orderer.SeekInfo.decode(payload.data);
    expect(seek.start?.specified?.number?.toString()).to.equal('7');
    expect(seek.behavior).to.equal(protos.orderer.SeekInfo.SeekBehavior.BLOCK_UNTIL_READY);
  });

  it('always carries a low-S signature (Fabric refuses the high-S twin)', () => {
    // About half of raw ECDSA signatures have a high s; 64 requests would show one if it were not lowered.
    for (let i = 0; i < 64; i++) {
      const env = protos.common.Envelope.decode(seekEnvelope(target, BigInt(i)));
      const { r, s } = rs(Buffer.from(env.signature));
      expect(r > 0n).to.equal(true);
      expect(s <= P256_N / 2n, `signature ${i} has a high s`).to.equal(true);
    }
  });

  it('lowering s keeps the signature valid', () => {
    const key = createPublicKey(peerAdmin.certificatePem);
    for (let i = 0; i < 16; i++) {
      const data = Buffer.from(`block request ${i}`);
      const sig = signLowS(peerAdmin.privateKeyPem, data);
      expect(rs(sig).s <= P256_N / 2n).to.equal(true);
      expect(verify('sha256', data, key, sig)).to.equal(true);
    }
  });
});
