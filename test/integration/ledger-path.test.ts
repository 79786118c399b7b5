import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { connectDevnet } from '../../network/src/connect-devnet';
import type { LedgerClient } from '../../lib/fabric/src';
import { ServiceError } from '../../lib/platform/src';
import { sharedDevnet } from '../fixtures/test-devnet';
import { referenceTransactions } from '../fixtures/reference-block-decoder';

describe('ledger path on the devnet (LedgerClient)', function () {
  let retailer: LedgerClient;

  before(async function () {
    retailer = await connectDevnet(sharedDevnet(), 'RetailerMSP');
  });
  after(() => retailer?.close());

  it("decodes every block of the channel as fabric-common's full block decoder does", async function () {
    const h = await retailer.height();
    let txs = 0;
    for (let n = 0n; n < h; n++) {
      const block = await retailer.blockByNumber(n);
      const plain = block.transactions.map((t) => ({ ...t, ...(t.chaincodeId === undefined ? {} : { chaincodeId: t.chaincodeId }) }));
      for (const t of plain) if (t.chaincodeId === undefined) delete t.chaincodeId;
      for (const t of plain) if (t.event === undefined) delete t.event;
      expect(plain, `block ${n}`).to.deep.equal(referenceTransactions(block.raw));
      txs += block.transactions.length;
    }
    expect(txs).to.be.greaterThan(0);
  });

  it('discovers one peer of each organisation', function () {
    const msps = retailer
      .peers()
      .map((p) => p.mspId)
      .sort();
    expect(msps).to.deep.equal(['AuditorMSP', 'RetailerMSP', 'SupplierMSP']);
  });

  it('commits a transaction VALID on all three peers, in the same block, endorsed by at least two orgs', async function () {
    const key = `k-${randomUUID()}`;
    const res = await retailer.submit({ contract: 'probe', fn: 'Put', args: [key, 'hello'] });
    expect(res.blockNumber > 0n).to.equal(true);
    expect(JSON.parse(res.payload.toString())).to.include({ key, value: 'hello', msp: 'RetailerMSP' });

    const seen = [];
    for (const peer of retailer.peers()) {
      const block = await retailer.blockByTxId(res.txId, peer.name);
      const tx = block.transactions.find((t) => t.txId === res.txId);
      expect(tx, `tx on ${peer.name}`).to.not.equal(undefined);
      expect(tx!.validationCode).to.equal('VALID');
      expect(new Set(tx!.endorserMspIds).size).to.be.at.least(2);
      expect(block.dataHash.equals(block.computedDataHash)).to.equal(true);
      seen.push({ number: block.number, hash: block.headerHash.toString('hex') });
    }
    expect(seen).to.have.length(3);
    expect(new Set(seen.map((s) => `${s.number}:${s.hash}`)).size).to.equal(1);
    expect(seen[0].number).to.equal(res.blockNumber);

    const stored = await retailer.evaluate({ contract: 'probe', fn: 'Get', args: [key], peer: retailer.peers().find((p) => p.mspId === 'AuditorMSP')!.name });
    expect(JSON.parse(stored.toString()).txId).to.equal(res.txId);
  });

  it('rejects a transaction endorsed by one org with ENDORSEMENT_POLICY_FAILURE and writes nothing', async function () {
    const key = `single-${randomUUID()}`;
    let caught: unknown;
    try {
      await retailer.submit({ contract: 'probe', fn: 'Put', args: [key, 'x'], endorsingOrgs: ['RetailerMSP'] });
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(ServiceError);
    expect((caught as ServiceError).code).to.equal('ENDORSEMENT_POLICY_FAILURE');
    const txId = (caught as ServiceError).details?.txId as string;
    const block = await retailer.blockByTxId(txId);
    expect(block.transactions.find((t) => t.txId === txId)?.validationCode).to.equal('ENDORSEMENT_POLICY_FAILURE');
    const stored = await retailer.evaluate({ contract: 'probe', fn: 'Get', args: [key] });
    expect(stored.length).to.equal(0);
  });

  it('serves the contract metadata of the deployable contracts and the devnet probe', async function () {
    const out = await retailer.evaluate({ contract: 'org.hyperledger.fabric', fn: 'GetMetadata' });
    const contracts = Object.keys(JSON.parse(out.toString()).contracts);
    expect(contracts).to.include.members(['traceability', 'consortium', 'probe']);
  });

  it('streams committed blocks in order from block 0 with an unbroken hash chain', async function () {
    const res = await retailer.submit({ contract: 'probe', fn: 'Put', args: [`s-${randomUUID()}`, 'y'] });
    const ac = new AbortController();
    let prev: Buffer | undefined;
    let expected = 0n;
    for await (const block of retailer.blocks({ startBlock: 0n, signal: ac.signal })) {
      expect(block.number).to.equal(expected);
      if (prev) expect(block.previousHash.equals(prev)).to.equal(true);
      expect(block.dataHash.equals(block.computedDataHash)).to.equal(true);
      prev = block.headerHash;
      expected += 1n;
      if (block.number >= res.blockNumber) ac.abort();
    }
    expect(expected).to.equal(res.blockNumber + 1n);
  });

  for (const transport of ['deliver', 'query'] as const) {
    it(`delivers a block committed after the stream started (${transport})`, async function () {
      const start = await retailer.height();
      const ac = new AbortController();
      const got: bigint[] = [];
      // A long poll interval: with `query` only the block event can wake the reader in time.
      const consumer = (async () => {
        for await (const block of retailer.blocks({ startBlock: start, signal: ac.signal, pollMs: 60_000, transport })) {
          got.push(block.number);
          ac.abort();
        }
      })();
      const res = await retailer.submit({ contract: 'probe', fn: 'Put', args: [`w-${randomUUID()}`, 'z'] });
      await consumer;
      expect(got).to.deep.equal([res.blockNumber]);
    });
  }
});
