import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { proveTransaction, type ChannelMsps } from '../../../../lib/fabric/src';
import { endorserEnvelope, rawBlock, type Signer } from '../../../fixtures/ledger-blocks';
import { createTestPki, type TestPki } from '../../../fixtures/test-pki';

const TX_ID = 'a'.repeat(64);
const envelope = (opts: Omit<Parameters<typeof endorserEnvelope>[0], 'txId'>) => endorserEnvelope({ txId: TX_ID, ...opts });
const block = rawBlock;

describe('transaction proof', () => {
  let pki: TestPki;
  let msps: ChannelMsps;
  let retailer: Signer;
  let supplier: Signer;
  /** Claims to be RetailerMSP, issued by a CA that is not the channel's. */
  let impostor: Signer;
  let other: Buffer;

  before(() => {
    pki = createTestPki();
    const retailerCa = pki.ca('retailer');
    const supplierCa = pki.ca('supplier');
    retailer = { mspId: 'RetailerMSP', id: pki.issue(retailerCa, 'retailer-user') };
    supplier = { mspId: 'SupplierMSP', id: pki.issue(supplierCa, 'supplier-peer') };
    impostor = { mspId: 'RetailerMSP', id: pki.issue(pki.ca('retailer'), 'retailer-user') };
    msps = new Map([
      ['RetailerMSP', { mspId: 'RetailerMSP', rootCerts: [new X509Certificate(retailerCa.certificatePem)], intermediateCerts: [] }],
      ['SupplierMSP', { mspId: 'SupplierMSP', rootCerts: [new X509Certificate(supplierCa.certificatePem)], intermediateCerts: [] }],
    ]);
    other = envelope({ creator: supplier, endorsers: [supplier] });
  });
  after(() => pki.close());

  /** Proves an envelope placed in block 5 (beside another transaction), followed by blocks 6 and 7. */
  function prove(env: Buffer, opts: { inBlock?: Buffer[]; dataHash?: Buffer; breakLinkAt?: number } = {}) {
    const b5 = block(5, Buffer.alloc(32, 4), opts.inBlock ?? [other, env], opts.dataHash);
    const b6 = block(6, opts.breakLinkAt === 6 ? Buffer.alloc(32, 9) : b5.headerHash, [other]);
    const b7 = block(7, opts.breakLinkAt === 7 ? Buffer.alloc(32, 9) : b6.headerHash, [other]);
    return proveTransaction({ txId: TX_ID, envelope: env, validationCode: 'VALID', block: b5.raw, nextBlocks: [b6.raw, b7.raw], msps });
  }

  it('holds for an untouched transaction', () => {
    const proof = prove(envelope({ creator: retailer, endorsers: [retailer, supplier] }));
    expect(proof.problems).to.deep.equal([]);
    expect(proof.ok).to.equal(true);
    expect(proof.inBlock).to.equal(true);
    expect(proof.dataHashValid).to.equal(true);
    expect(proof.linkedTo).to.equal(7n);
    expect(proof.creatorMspId).to.equal('RetailerMSP');
    expect(proof.endorserMspIds).to.deep.equal(['RetailerMSP', 'SupplierMSP']);
    expect(proof.signatures.every((s) => s.valid)).to.equal(true);
  });

  it('fails when the envelope is not in the block', () => {
    const proof = prove(envelope({ creator: retailer, endorsers: [retailer, supplier] }), { inBlock: [other] });
    expect(proof.ok).to.equal(false);
    expect(proof.inBlock).to.equal(false);
    expect(proof.problems).to.deep.equal(["the transaction's envelope is not in block 5"]);
  });

  it('fails when the block header data hash does not cover the contents', () => {
    const proof = prove(envelope({ creator: retailer, endorsers: [retailer, supplier] }), { dataHash: Buffer.alloc(32, 1) });
    expect(proof.ok).to.equal(false);
    expect(proof.dataHashValid).to.equal(false);
    expect(proof.problems).to.have.length(1);
    expect(proof.problems[0]).to.equal("block 5's data hash does not match its contents");
  });

  for (const at of [6, 7]) {
    it(`fails when block ${at} does not link to the block before it`, () => {
      const proof = prove(envelope({ creator: retailer, endorsers: [retailer, supplier] }), { breakLinkAt: at });
      expect(proof.ok).to.equal(false);
      expect(proof.linkedTo).to.equal(BigInt(at - 1));
      expect(proof.problems).to.deep.equal([`block ${at} does not link to block ${at - 1}`]);
    });
  }

  it("fails when the creator's signature does not verify", () => {
    const proof = prove(envelope({ creator: retailer, endorsers: [retailer, supplier], tamper: 'creator-signature' }));
    expect(proof.ok).to.equal(false);
    expect(proof.signatures.map((s) => [s.role, s.valid])).to.deep.equal([
      ['creator', false],
      ['endorser', true],
      ['endorser', true],
    ]);
    expect(proof.problems).to.deep.equal(['the creator signature of RetailerMSP does not verify']);
  });

  it("fails when an endorser's signature does not verify", () => {
    const proof = prove(envelope({ creator: retailer, endorsers: [supplier, retailer], tamper: 'endorser-signature' }));
    expect(proof.ok).to.equal(false);
    expect(proof.signatures.map((s) => [s.role, s.mspId, s.valid])).to.deep.equal([
      ['creator', 'RetailerMSP', true],
      ['endorser', 'SupplierMSP', false],
      ['endorser', 'RetailerMSP', true],
    ]);
    expect(proof.problems).to.deep.equal(['the endorser signature of SupplierMSP does not verify']);
  });

  it("fails when the creator's certificate does not chain to its MSP's root, though its signature verifies", () => {
    const proof = prove(envelope({ creator: impostor, endorsers: [retailer, supplier] }));
    expect(proof.ok).to.equal(false);
    expect(proof.signatures[0]).to.include({ role: 'creator', mspId: 'RetailerMSP', valid: false });
    expect(proof.problems).to.deep.equal(['the certificate does not chain to a CA of RetailerMSP']);
  });

  it("fails when an endorser's certificate does not chain to its MSP's root", () => {
    const proof = prove(envelope({ creator: retailer, endorsers: [impostor, supplier] }));
    expect(proof.ok).to.equal(false);
    expect(proof.signatures.map((s) => s.valid)).to.deep.equal([true, false, true]);
    expect(proof.problems).to.deep.equal(['the certificate does not chain to a CA of RetailerMSP']);
  });

  it('fails when the peers did not validate the transaction', () => {
    const env = envelope({ creator: retailer, endorsers: [retailer, supplier] });
    const b5 = block(5, Buffer.alloc(32, 4), [other, env]);
    const proof = proveTransaction({ txId: TX_ID, envelope: env, validationCode: 'MVCC_READ_CONFLICT', block: b5.raw, msps });
    expect(proof.ok).to.equal(false);
    expect(proof.problems).to.deep.equal(['the peers marked the transaction MVCC_READ_CONFLICT']);
  });
});
