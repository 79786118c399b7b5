/**
 * The gateway's rows of the visibility matrix: one per chaincode read of its
 * route table (gateway/src/http/resource-routes.ts) and per proof route
 * (provenance-routes.ts), each reader asking its own organisation's gateway;
 * and the console's pass-through to the query API.
 */
import { expect } from 'chai';
import { AUDITOR, MEMBERS, READERS, type Member, type Reader } from './visibility-devnet';
import { each, model, same, type Ctx, type Row } from './visibility-context';
import {
  ANCESTORS,
  DESCENDANTS,
  LOT_GRANT,
  LOTS,
  OWNER,
  PO_PARTIES,
  RECALL_GRANT,
  sees,
  SHIPMENT_PARTIES,
  SHIPMENTS,
  TX_GRANT,
  type LotName,
  type SiteName,
} from './visibility-model';

type Any = Record<string, any>;

/** The lots made from `lot` that are of `reader`'s own provenance (rule lot-downstream). */
const ownDescendants = (reader: Reader, lot: LotName) => DESCENDANTS[lot].filter((d) => sees(reader, LOT_GRANT[d]));

const lotRead =
  (suffix: string, check?: (x: Ctx, reader: Reader, body: Any) => void): Row =>
  async (x) => {
    const m = model(x.s);
    await each(async (reader) => {
      for (const lot of LOTS) {
        const a = await x.r.gateway(reader, `/lots/${m.lotKey(lot)}${suffix}`);
        expect(a.status, `${reader} gateway ${lot}${suffix}: ${a.text.slice(0, 200)}`).to.equal(sees(reader, LOT_GRANT[lot]) ? 200 : 404);
        if (a.status === 200) check?.(x, reader, a.body);
      }
    });
  };

/** Key of a history read → the members that may read it. */
function historyGrants(x: Ctx): Array<[string, readonly Member[] | 'all']> {
  const m = model(x.s);
  return [
    [`location~${x.s.gln.site2}`, [OWNER.site2]],
    [`product~${x.s.gtin.g2}`, 'all'],
    [`lot~${m.lotKey('B2').replace('/', '~')}`, LOT_GRANT.B2],
    [`lot~${m.lotKey('AB').replace('/', '~')}`, LOT_GRANT.AB],
    [`stock~${x.s.gln.site2}~${m.lotKey('B').replace('/', '~')}`, [OWNER.site2]],
    [`shipment~${x.s.shipment.SH2}`, SHIPMENT_PARTIES.SH2],
    [`shipment~${x.s.shipment.SH1}`, SHIPMENT_PARTIES.SH1],
    [`po~${x.s.po.PO2}`, PO_PARTIES.PO2],
    [`recall~${x.s.recallId}`, RECALL_GRANT],
  ];
}

export const GATEWAY_ROWS: Record<string, Row> = {
  'GET /lots/:gtin/:lotCode': lotRead('', (x, reader, body) => {
    const m = model(x.s);
    for (const p of body.positions as Any[]) expect(m.ownsGln(reader, p.gln), `${reader}: gateway position at ${p.gln}`).to.equal(true);
  }),
  'GET /lots/:gtin/:lotCode/trace': lotRead('/trace', (x, reader, body) => {
    const m = model(x.s);
    for (const p of body.positions as Any[]) expect(m.ownsGln(reader, p.gln), `${reader}: trace position`).to.equal(true);
    // Of the descendants only those of its own provenance, though it holds none of them now (supplier 1's blend).
    same(
      reader,
      `descendants of ${m.lotOf(body.lot.gtin, body.lot.lotCode)}`,
      (body.descendants as Any[]).map((d) => m.lotOf(d.gtin, d.lotCode) ?? d.lotCode),
      ownDescendants(reader, m.lotOf(body.lot.gtin, body.lot.lotCode)!),
    );
    for (const d of body.descendants as Any[])
      for (const p of [...(d.positions as Any[]).map((q) => q.gln as string), ...((d.sites ?? []) as string[])])
        expect(m.ownsGln(reader, p), `${reader}: descendant position or site`).to.equal(true);
    for (const gln of (body.sites ?? []) as string[]) expect(m.ownsGln(reader, gln), `${reader}: trace site`).to.equal(true);
  }),
  'GET /shipments/:shipmentId': async (x) => {
    await each(async (reader) => {
      for (const sh of SHIPMENTS) {
        const a = await x.r.gateway(reader, `/shipments/${x.s.shipment[sh]}`);
        expect(a.status, `${reader} gateway ${sh}`).to.equal(sees(reader, SHIPMENT_PARTIES[sh]) ? 200 : 404);
      }
    });
  },
  'GET /locations/:gln/stock': async (x) => {
    await each(async (reader) => {
      for (const site of Object.keys(x.s.gln) as SiteName[]) {
        const a = await x.r.gateway(reader, `/locations/${x.s.gln[site]}/stock`);
        expect(a.status, `${reader} gateway stock at ${site}`).to.equal(sees(reader, [OWNER[site]]) ? 200 : 404);
      }
    });
  },
  'GET /purchase-orders/:poId': async (x) => {
    await each(async (reader) => {
      for (const po of ['PO1', 'PO2'] as const) {
        const a = await x.r.gateway(reader, `/purchase-orders/${x.s.po[po]}`);
        expect(a.status, `${reader} gateway ${po}`).to.equal(sees(reader, PO_PARTIES[po]) ? 200 : 404);
      }
    });
  },
  'GET /events/:eventId': async (x) => {
    await each(async (reader) => {
      // Every member that submitted something (the carrier submits nothing).
      for (const by of MEMBERS.filter((m) => x.s.events[m].length > 0)) {
        // Event ids are scoped per organisation: another's is named with ?mspId=.
        const a = await x.r.gateway(reader, `/events/${x.s.events[by][0]}?mspId=${by}`);
        expect(a.status, `${reader} gateway: an event of ${by}`).to.equal(reader === AUDITOR || reader === by ? 200 : 404);
      }
    });
  },
  'GET /history': async (x) => {
    await each(async (reader) => {
      for (const [key, grant] of historyGrants(x)) {
        const a = await x.r.gateway(reader, `/history?key=${encodeURIComponent(key)}`);
        expect(a.status, `${reader} gateway history of ${key}: ${a.text.slice(0, 200)}`).to.equal(grant === 'all' || sees(reader, grant) ? 200 : 404);
        if (a.status === 200) expect((a.body.history as Any[]).length, `${reader}: history of ${key}`).to.be.greaterThan(0);
      }
    });
  },
};

/** The block of each transaction of TX_GRANT, as the auditor's proof names it. */
async function txBlocks(x: Ctx): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(TX_GRANT)) out[name] = String((await x.r.gateway(AUDITOR, `/provenance/transactions/${x.s.tx[name].txId}`)).body.blockNumber);
  return out;
}

export const PROVENANCE_ROWS: Record<string, Row> = {
  'GET /provenance/lots/:gtin/:lotCode': async (x) => {
    const m = model(x.s);
    await each(async (reader) => {
      for (const lot of LOTS) {
        const a = await x.r.gateway(reader, `/provenance/lots/${m.lotKey(lot)}`);
        expect(a.status, `${reader} proof of ${lot}: ${a.text.slice(0, 200)}`).to.equal(sees(reader, LOT_GRANT[lot]) ? 200 : 404);
        if (a.status !== 200) continue;
        expect(a.body.ok, `${reader} proof of ${lot}`).to.equal(true);
        // Every ancestor; of the descendants only those of its own provenance, and stock only at its own locations.
        same(
          reader,
          `lots proven for ${lot}`,
          (a.body.lots as Any[]).map((l) => m.lotOf(l.gtin, l.lotCode) ?? l.lotCode),
          [lot, ...ANCESTORS[lot], ...ownDescendants(reader, lot)],
        );
        for (const l of a.body.lots as Any[])
          for (const p of l.onHand as Any[]) expect(m.ownsGln(reader, p.gln), `${reader}: proven stock at ${p.gln}`).to.equal(true);
        // The transactions of what it may see, no others: a part of the auditor's proof of the same lot.
        const all = new Set(((await x.r.gateway(AUDITOR, `/provenance/lots/${m.lotKey(lot)}`)).body.proofs as Any[]).map((p) => p.txId as string));
        for (const p of a.body.proofs as Any[]) expect(all.has(p.txId), `${reader}: ${p.txId} proven for ${lot}`).to.equal(true);
        const proven = new Set((a.body.proofs as Any[]).map((p) => p.txId as string));
        for (const [name, grant] of Object.entries(TX_GRANT))
          if (!sees(reader, grant)) expect(proven.has(x.s.tx[name].txId), `${reader}: ${name} proven for ${lot}`).to.equal(false);
        // Each proof it was given answers alone too: the transaction rule grants what the lot rule shows.
        for (const txId of proven)
          expect((await x.r.gateway(reader, `/provenance/transactions/${txId}`)).status, `${reader}: ${txId} of ${lot} alone`).to.equal(200);
      }
    });
  },
  'GET /provenance/transactions/:txId': async (x) => {
    await each(async (reader) => {
      for (const [name, grant] of Object.entries(TX_GRANT)) {
        const a = await x.r.gateway(reader, `/provenance/transactions/${x.s.tx[name].txId}`);
        expect(a.status, `${reader} proof of ${name}`).to.equal(sees(reader, grant) ? 200 : 404);
      }
    });
  },
  'GET /provenance/transactions/:txId/raw': async (x) => {
    await each(async (reader) => {
      for (const [name, grant] of Object.entries(TX_GRANT)) {
        const a = await x.r.gateway(reader, `/provenance/transactions/${x.s.tx[name].txId}/raw`);
        if (!sees(reader, grant)) expect(a.status, `${reader} raw proof of ${name}`).to.equal(404);
        else if (reader === AUDITOR) expect(a.status, `auditor raw proof of ${name}`).to.equal(200);
        // A member's own transaction: its block's bytes, unless another member's transaction shares the block.
        else expect(a.status === 200 || a.body.code === 'BLOCK_SHARED', `${reader} raw proof of ${name}: ${a.text.slice(0, 200)}`).to.equal(true);
      }
    });
  },
  'GET /provenance/blocks/tip': async (x) => {
    await each(async (reader) => {
      expect((await x.r.gateway(reader, '/provenance/blocks/tip')).status, `${reader} tip`).to.equal(200);
    });
  },
  'GET /provenance/blocks/:number/raw': async (x) => {
    const blocks = await txBlocks(x);
    await each(async (reader) => {
      // The genesis block is the channel's configuration: every member's.
      expect((await x.r.gateway(reader, '/provenance/blocks/0/raw')).status, `${reader} config block`).to.equal(200);
      for (const [name, grant] of Object.entries(TX_GRANT)) {
        const a = await x.r.gateway(reader, `/provenance/blocks/${blocks[name]}/raw`);
        if (!sees(reader, grant)) expect(a.status, `${reader} block of ${name}`).to.equal(404);
        else if (reader === AUDITOR) expect(a.status, `auditor block of ${name}`).to.equal(200);
      }
    });
  },
};

/** The console's pass-through answers as the query API answers the same reader. */
export const consoleRow: Row = async (x) => {
  for (const reader of READERS) {
    const via = await x.r.gateway(reader, '/console/api/index/shipments?limit=1000');
    expect(via.status, `${reader} console: ${via.text.slice(0, 200)}`).to.equal(200);
    same(
      reader,
      'shipments through the console',
      (via.body.shipments as Any[]).map((s) => s.shipment_id),
      model(x.s).visibleShipments(reader),
    );
    const lot = await x.r.gateway(reader, `/console/api/index/lots/${model(x.s).lotKey('B2')}`);
    expect(lot.status, `${reader} console lot B2`).to.equal(reader === AUDITOR || reader === OWNER.site2 || reader === OWNER.dc ? 200 : 404);
  }
};
