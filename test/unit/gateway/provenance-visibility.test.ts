import { expect } from 'chai';
import request from 'supertest';
import { provenanceRoutes } from '../../../gateway/src/http/provenance-routes';
import type { Role } from '../../../lib/domain/src/roles';
import { ServiceError } from '../../../lib/platform/src';
import { decodeBlock } from '../../../lib/fabric/src';
import { configBlock, endorserEnvelope, rawBlock, type Signer } from '../../fixtures/ledger-blocks';
import { createTestPki, type TestPki } from '../../fixtures/test-pki';
import { createTestGateway, type TestGateway } from './fakes';

/**
 * The supplier's gateway, on a ledger where the retailer has records of its own: the retailer's lot LR and
 * the lot LR2 it made from the supplier's lot L1. A supplier's token gets proofs of what its organisation may
 * see; anything else answers exactly as a record that does not exist.
 */
const S = 'SupplierMSP';
const R = 'RetailerMSP';
const G = '07612345100012';
const GLN_S = '4000001000012';
const GLN_R = '4000002000019';
const tx = (c: string) => c.repeat(64);
const TX = { s: tx('1'), r: tx('2'), r2: tx('3'), sShared: tx('4'), rShared: tx('5'), ship: tx('6') };
const UNKNOWN_TX = tx('f');

const OWNER: Record<string, string> = { [GLN_S]: S, [GLN_R]: R };
const TRACES: Record<string, object> = {
  L1: {
    lot: { gtin: G, lotCode: 'L1', commissionedBy: S },
    positions: [{ gln: GLN_S, quantity: '60' }],
    ancestors: [],
    descendants: [{ gtin: G, lotCode: 'LR2', positions: [{ gln: GLN_R, quantity: '10' }] }],
  },
  LR: { lot: { gtin: G, lotCode: 'LR', commissionedBy: R }, positions: [{ gln: GLN_R, quantity: '5' }], ancestors: [], descendants: [] },
};
const HISTORY: Record<string, object[]> = {
  [`lot~${G}~L1`]: [{ txId: TX.s }],
  [`stock~${GLN_S}~${G}~L1`]: [{ txId: TX.s }, { txId: TX.sShared }],
  [`lot~${G}~LR2`]: [{ txId: TX.r2 }],
  [`stock~${GLN_R}~${G}~LR2`]: [{ txId: TX.r2 }],
  [`lot~${G}~LR`]: [{ txId: TX.r }],
  [`stock~${GLN_R}~${G}~LR`]: [{ txId: TX.r }, { txId: TX.rShared }],
  'shipment~SH-1': [{ txId: TX.ship, value: { senderMsp: S, receiverMsp: R } }],
};

describe('gateway provenance routes, scoped to the caller’s organisation', function () {
  this.timeout(30_000);
  let t: TestGateway;
  let pki: TestPki;
  const auth: Partial<Record<'supplier' | 'auditor', string>> = {};

  before(async () => {
    t = await createTestGateway({ extraRoutes: [provenanceRoutes()] });
    for (const role of ['supplier', 'auditor'] as Role[])
      auth[role as 'supplier'] = `Bearer ${await t.issuer.mint({ sub: `${role}-1`, roles: [role], org: S })}`;
    pki = createTestPki();
    const sCa = pki.ca('supplier');
    const rCa = pki.ca('retailer');
    const sup: Signer = { mspId: S, id: pki.issue(sCa, 'supplier-user') };
    const ret: Signer = { mspId: R, id: pki.issue(rCa, 'retailer-user') };
    const config = configBlock([
      { mspId: S, rootCertPem: sCa.certificatePem },
      { mspId: R, rootCertPem: rCa.certificatePem },
    ]);
    const env = (txId: string, by: Signer, writes: string[]) => endorserEnvelope({ txId, creator: by, endorsers: [by], writes });
    const entries = [
      [env(TX.s, sup, [`lot~${G}~L1`, `stock~${GLN_S}~${G}~L1`])],
      [env(TX.r, ret, [`lot~${G}~LR`, `stock~${GLN_R}~${G}~LR`])],
      [env(TX.r2, ret, [`lot~${G}~LR2`, `stock~${GLN_R}~${G}~LR2`, `lotchild~${G}~L1~${G}~LR2`])],
      // One block holding a transaction of each member.
      [env(TX.sShared, sup, [`stock~${GLN_S}~${G}~L1`]), env(TX.rShared, ret, [`stock~${GLN_R}~${G}~LR`])],
      // The retailer's transaction about a shipment the supplier sends.
      [env(TX.ship, ret, ['shipment~SH-1'])],
    ];
    const blocks = [decodeBlock(config)];
    for (const e of entries) blocks.push(decodeBlock(rawBlock(blocks.length, blocks[blocks.length - 1].headerHash, e).raw));
    const evaluate = t.ledger.evaluate.bind(t.ledger);
    const answer = (v: unknown) => Buffer.from(JSON.stringify(v));
    Object.assign(t.ledger, {
      height: async () => BigInt(blocks.length),
      configBlock: async () => config,
      blockByNumber: async (n: bigint) => {
        if (n >= BigInt(blocks.length)) throw new ServiceError({ code: 'NOT_FOUND', message: `no block ${n}`, httpStatus: 404 });
        return blocks[Number(n)];
      },
      blockByTxId: async (txId: string) => {
        const b = blocks.find((x) => x.transactions.some((y) => y.txId === txId));
        if (!b) throw new ServiceError({ code: 'NOT_FOUND', message: `the ledger holds no transaction ${txId}`, httpStatus: 404, details: { field: 'txId' } });
        return b;
      },
      evaluate: async (req: { fn: string; args?: string[] }) => {
        const [a0, a1] = req.args ?? [];
        if (req.fn === 'GetLotTrace') {
          if (!TRACES[a1]) throw new ServiceError({ code: 'NOT_FOUND', message: `lot ${a0}/${a1} does not exist`, httpStatus: 404 });
          return answer(TRACES[a1]);
        }
        if (req.fn === 'GetHistory' && a0.startsWith('location~')) return answer({ history: [{ value: { ownerMsp: OWNER[a0.slice(9)] } }] });
        if (req.fn === 'GetHistory') return answer({ key: a0, history: HISTORY[a0] ?? [] });
        return evaluate(req as never);
      },
    });
  });
  after(async () => {
    pki.close();
    await t.close();
  });

  const get = (path: string, who: 'supplier' | 'auditor') => request(t.gateway.app).get(path).set({ Authorization: auth[who]! });
  /** A 404's body without its request id. */
  const notFoundBody = (res: request.Response) => {
    expect(res.status, JSON.stringify(res.body)).to.equal(404);
    const { requestId: _id, ...rest } = res.body as Record<string, unknown>;
    return rest;
  };

  it("answers 404 for the retailer's transaction, exactly as for one the ledger does not hold", async () => {
    for (const suffix of ['', '/raw']) {
      const hidden = notFoundBody(await get(`/provenance/transactions/${TX.r}${suffix}`, 'supplier'));
      expect(hidden, suffix).to.deep.equal(notFoundBody(await get(`/provenance/transactions/${UNKNOWN_TX}${suffix}`, 'supplier')));
      expect(JSON.stringify(hidden)).to.not.include(TX.r);
    }
  });

  it("answers 404 for the retailer's lot and block, exactly as for absent ones", async () => {
    expect(notFoundBody(await get(`/provenance/lots/${G}/LR`, 'supplier'))).to.deep.equal(notFoundBody(await get(`/provenance/lots/${G}/NOPE`, 'supplier')));
    expect(notFoundBody(await get('/provenance/blocks/2/raw', 'supplier'))).to.deep.equal(notFoundBody(await get('/provenance/blocks/99/raw', 'supplier')));
  });

  it('proves its own transactions, and one about a shipment it is a party to', async () => {
    for (const id of [TX.s, TX.sShared, TX.ship]) {
      const res = await get(`/provenance/transactions/${id}`, 'supplier');
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.txId).to.equal(id);
    }
    const raw = await get(`/provenance/transactions/${TX.s}/raw`, 'supplier');
    expect(raw.status, JSON.stringify(raw.body)).to.equal(200);
    expect(raw.body.block.number).to.equal('1');
    for (const n of [0, 1, 5]) expect((await get(`/provenance/blocks/${n}/raw`, 'supplier')).status, `block ${n}`).to.equal(200);
  });

  it("keeps a block's raw bytes from a member when another member's transaction shares it", async () => {
    const res = await get(`/provenance/transactions/${TX.sShared}/raw`, 'supplier');
    expect(res.status).to.equal(403);
    expect(res.body.code).to.equal('BLOCK_SHARED');
    expect(JSON.stringify(res.body)).to.not.include(TX.rShared);
    expect((await get('/provenance/blocks/4/raw', 'supplier')).status).to.equal(404);
  });

  it("proves the supplier's lot without its customer's lot made from it or stock elsewhere", async () => {
    const res = await get(`/provenance/lots/${G}/L1`, 'supplier');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.lots).to.deep.equal([{ direction: 'root', gtin: G, lotCode: 'L1', onHand: [{ gln: GLN_S, quantity: '60' }], txIds: [TX.s, TX.sShared] }]);
    expect((res.body.proofs as Array<{ txId: string }>).map((p) => p.txId)).to.deep.equal([TX.s, TX.sShared]);
  });

  it('shows the auditor every record and the whole trace', async () => {
    for (const path of [
      `/provenance/transactions/${TX.r}`,
      `/provenance/transactions/${TX.rShared}/raw`,
      '/provenance/blocks/2/raw',
      `/provenance/lots/${G}/LR`,
    ]) {
      expect((await get(path, 'auditor')).status, path).to.equal(200);
    }
    const trace = await get(`/provenance/lots/${G}/L1`, 'auditor');
    expect((trace.body.lots as Array<{ lotCode: string }>).map((l) => l.lotCode)).to.deep.equal(['L1', 'LR2']);
    expect((trace.body.proofs as Array<{ txId: string }>).map((p) => p.txId)).to.deep.equal([TX.s, TX.sShared, TX.r2]);
  });
});
