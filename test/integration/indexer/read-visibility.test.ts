import { expect } from 'chai';
import request from 'supertest';
import type { Role } from '../../../lib/domain/src';
import { AUDITOR, RETAILER, SUPPLIER } from '../chaincode/ledger-fixtures';
import { runChain, setUpChain, waitForBlock, type Chain } from './harness';
import { startIndexedLedger, type IndexedLedger } from './indexed-ledger';

type Row = Record<string, any>;

/**
 * One farm-to-store chain: the supplier's cooperative and roastery, a shipment to the retailer's DC,
 * a transfer to its store. Each member's inventory readers see their own locations and the shipments
 * they are a party to; a third member sees neither; the auditor role sees all.
 */
describe('query API: each organisation sees only its own stock, movements, shipments and orders', function () {
  this.timeout(180_000);
  let led: IndexedLedger;
  let c: Chain;
  const api = () => request(`http://127.0.0.1:${led.indexer.httpPort()}`);
  const as = async (org: string, roles: Role[] = ['inventory-reader']) => `Bearer ${await led.indexer.devIssuer()!.mint({ sub: `${org}-reader`, roles, org })}`;
  const get = async (path: string, auth: string) => {
    const res = await api().get(path).set('Authorization', auth);
    expect(res.status, `${path}: ${JSON.stringify(res.body)}`).to.equal(200);
    return res.body;
  };

  before(async () => {
    led = await startIndexedLedger();
    c = await setUpChain(led.orgs);
    await runChain(led.orgs, c);
    await waitForBlock(led.pool, c.lastBlock);
  });
  after(async () => {
    await led?.stop();
  });

  it('inventory: the owner of each location, and the auditor; never a third member', async () => {
    const glnsOf = (body: { items: Row[] }) => [...new Set(body.items.map((i) => i.gln as string))].filter((g) => Object.values(c.gln).includes(g)).sort();
    const mine = (...g: string[]) => g.sort();
    expect(glnsOf(await get(`/inventory?gtin=${c.gtin.roasted}`, await as(SUPPLIER)))).to.deep.equal([]);
    expect(glnsOf(await get(`/inventory?gtin=${c.gtin.green}`, await as(SUPPLIER)))).to.deep.equal(mine(c.gln.roastery));
    expect(glnsOf(await get(`/inventory?gtin=${c.gtin.roasted}`, await as(RETAILER)))).to.deep.equal(mine(c.gln.dc, c.gln.store));
    expect(glnsOf(await get(`/inventory?gtin=${c.gtin.roasted}`, await as(AUDITOR)))).to.deep.equal([]);
    expect(glnsOf(await get(`/inventory?gtin=${c.gtin.roasted}`, await as(AUDITOR, ['auditor'])))).to.deep.equal(mine(c.gln.dc, c.gln.store));
    // Asking for another member's location by GLN answers an empty list, as for a location with no stock.
    expect((await get(`/inventory?gln=${c.gln.dc}`, await as(SUPPLIER))).items).to.deep.equal([]);
  });

  it('movements: at own locations and of shipments the member is a party to; paging counts only those', async () => {
    const ids = async (auth: string) =>
      ((await get(`/movements?gtin=${c.gtin.roasted}&limit=1000`, auth)).items as Row[]).map((m) => `${m.gln ?? ''}|${m.shipment_id ?? ''}`);
    const supplier = await ids(await as(SUPPLIER));
    const retailer = await ids(await as(RETAILER));
    const all = await ids(await as(AUDITOR, ['auditor']));
    expect(await ids(await as(AUDITOR))).to.deep.equal([]);
    // Movements outside the shipment: the transfer inside the retailer (DC → store) is the retailer's alone,
    // the roast at the roastery the supplier's alone. The shipment's own movements (its dispatch from the
    // roastery, its receipt at the DC) belong to both parties.
    expect(
      supplier.filter((m) => m.startsWith(`${c.gln.store}|`)),
      JSON.stringify({ supplier, store: c.gln.store }),
    ).to.deep.equal([]);
    expect(retailer.some((m) => m.startsWith(`${c.gln.store}|`))).to.equal(true);
    expect(retailer.some((m) => m === `${c.gln.roastery}|`)).to.equal(false);
    expect(supplier.some((m) => m === `${c.gln.roastery}|`)).to.equal(true);
    expect(retailer.some((m) => m.endsWith(`|${c.shipmentId}`))).to.equal(true);
    expect(supplier.some((m) => m.endsWith(`|${c.shipmentId}`))).to.equal(true);
    expect(all.length).to.be.greaterThan(Math.max(supplier.length, retailer.length));
    // A page of one at a time walks exactly the visible movements.
    let cursor: string | null = null;
    let walked = 0;
    const auth = await as(SUPPLIER);
    do {
      const body: { items: Row[]; nextCursor: string | null } = await get(
        `/movements?gtin=${c.gtin.roasted}&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        auth,
      );
      walked += body.items.length;
      cursor = body.nextCursor;
    } while (cursor);
    expect(walked).to.equal(supplier.length);
  });

  it('shipments and pending orders: the sender and the receiver; a third member sees none', async () => {
    const has = async (auth: string) => ((await get('/shipments?limit=1000', auth)).shipments as Row[]).some((s) => s.shipment_id === c.shipmentId);
    expect(await has(await as(SUPPLIER))).to.equal(true);
    expect(await has(await as(RETAILER))).to.equal(true);
    expect(await has(await as(AUDITOR))).to.equal(false);
    expect(await has(await as(AUDITOR, ['auditor']))).to.equal(true);
    // The shipment's own page: 404 for a member that is not a party, as for a shipment never created.
    expect((await get(`/shipments/${c.shipmentId}`, await as(RETAILER))).shipment.shipment_id).to.equal(c.shipmentId);
    const hidden = await api()
      .get(`/shipments/${c.shipmentId}`)
      .set('Authorization', await as(AUDITOR));
    expect(hidden.status).to.equal(404);
    const pendingParties = (await get('/orders/pending', await as(AUDITOR))).items as Row[];
    expect(pendingParties.every((p) => p.party_a === AUDITOR || p.party_b === AUDITOR)).to.equal(true);
  });

  it("a reorder point at another member's location is not found, at one's own it is set", async () => {
    const retailerOps = await as(RETAILER, ['retailer-ops']);
    await api().put(`/reorder-points/${c.gln.roastery}/${c.gtin.green}`).set('Authorization', retailerOps).send({ reorderPoint: '5' }).expect(404);
    await api().put(`/reorder-points/${c.gln.store}/${c.gtin.roasted}`).set('Authorization', retailerOps).send({ reorderPoint: '5' }).expect(200);
  });

  it('lots: the holder sees a lot and every step back to its origin, only its own positions, and not a third member', async () => {
    const retailer = await as(RETAILER);
    // The retailer holds the roasted lot; the green lot it was roasted from is its provenance.
    const green = await get(`/lots/${c.gtin.green}/${c.greenLot}`, retailer);
    expect(green.lot.lot_code).to.equal(c.greenLot);
    // The green lot's remaining stock lies at the supplier's roastery: not the retailer's to see.
    expect(green.positions).to.deep.equal([]);
    expect((await get(`/lots/${c.gtin.green}/${c.greenLot}`, await as(SUPPLIER))).positions.map((p: Row) => p.gln)).to.deep.equal([c.gln.roastery]);
    const up = await get(`/lots/${c.gtin.roasted}/${c.roastLot}/trace/upstream`, retailer);
    expect(up.origins.map((o: Row) => o.lot_code)).to.deep.equal([c.greenLot]);
    const down = await get(`/lots/${c.gtin.green}/${c.greenLot}/trace/downstream`, retailer);
    expect(down.holdings.map((h: Row) => h.gln).sort()).to.deep.equal([c.gln.dc, c.gln.store].sort());
    // A member outside the chain: as absent as a lot never commissioned.
    const third = await as(AUDITOR);
    for (const path of [
      `/lots/${c.gtin.green}/${c.greenLot}`,
      `/lots/${c.gtin.roasted}/${c.roastLot}/trace/upstream`,
      `/lots/${c.gtin.green}/${c.greenLot}/trace/downstream`,
    ]) {
      expect((await api().get(path).set('Authorization', third)).status, path).to.equal(404);
    }
    expect((await get(`/lots/${c.gtin.green}/${c.greenLot}/trace/downstream`, await as(AUDITOR, ['auditor']))).holdings.length).to.be.greaterThan(1);
  });
});
