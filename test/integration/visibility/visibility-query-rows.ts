/**
 * The query API's rows of the visibility matrix, one per route of its route
 * table (indexer/src/query/route-table.ts): what each reader's answer holds,
 * against the model (visibility-model.ts).
 */
import { expect } from 'chai';
import { AUDITOR, MEMBERS, READERS, type Reader } from './visibility-devnet';
import { each, model, same, sameForAll, type Ctx, type Row } from './visibility-context';
import { EPCIS_ROWS } from './visibility-epcis-rows';
import {
  ANCESTORS,
  DESCENDANTS,
  FSMA_LOTS,
  LOT_GRANT,
  LOTS,
  ON_HAND,
  OWNER,
  PO_PARTIES,
  RECALL_GRANT,
  RECALL_LOTS,
  REORDER,
  sees,
  SHIPMENT_LOTS,
  SHIPMENT_PARTIES,
  SHIPMENTS,
  TX_GRANT,
  type LotName,
} from './visibility-model';

type Any = Record<string, any>;

const lotRoute =
  (suffix: string, check?: (x: Ctx, reader: Reader, lot: LotName, body: Any) => void): Row =>
  async (x) => {
    const m = model(x.s);
    await each(async (reader) => {
      for (const lot of LOTS) {
        const a = await x.r.query(reader, `/lots/${m.lotKey(lot)}${suffix}`);
        expect(a.status, `${reader} ${lot}${suffix}: ${a.text.slice(0, 200)}`).to.equal(sees(reader, LOT_GRANT[lot]) ? 200 : 404);
        if (a.status === 200) check?.(x, reader, lot, a.body);
      }
    });
  };

/** Lots of a reader's downstream view of `lot`: itself and the lots made from it in the reader's provenance. */
const downstream = (reader: Reader, lot: LotName) => [lot, ...DESCENDANTS[lot].filter((d) => sees(reader, LOT_GRANT[d]))];

const txVisible = async (x: Ctx, reader: Reader, txId: string) => (await x.r.query(reader, `/ledger/transactions/${txId}`)).status === 200;

export const QUERY_ROWS: Record<string, Row> = {
  'GET /health': sameForAll('/health', 200),
  'GET /metrics': sameForAll('/metrics', 200),
  'GET /openapi.json': sameForAll('/openapi.json', 200, { body: true }),

  'GET /inventory': async (x) => {
    const m = model(x.s);
    await each(async (reader) => {
      const items = (await x.r.ok(reader, '/inventory?limit=10000')).items as Any[];
      const expected = ON_HAND.filter((h) => sees(reader, [OWNER[h.site]])).map((h) => `${x.s.gln[h.site]}/${m.lotKey(h.lot)}`);
      same(
        reader,
        'stock positions',
        items.filter((i) => BigInt(i.base_units) > 0n).map((i) => `${i.gln}/${i.gtin}/${i.lot_code}`),
        expected,
      );
    });
  },
  'GET /inventory/low-stock': async (x) => {
    await each(async (reader) => {
      const items = (await x.r.ok(reader, '/inventory/low-stock')).items as Any[];
      const expected = REORDER.filter((p) => sees(reader, [OWNER[p.site]])).map((p) => `${x.s.gln[p.site]}/${x.s.gtin[p.product]}`);
      same(
        reader,
        'low stock',
        items.map((i) => `${i.gln}/${i.gtin}`),
        expected,
      );
    });
  },
  'PUT /reorder-points/:gln/:gtin': async (x) => {
    // The retailer's location: its own (200); another member's is not found; the auditor role may not set one at all.
    for (const reader of READERS) {
      const a = await x.r.query(reader, `/reorder-points/${x.s.gln.dc}/${x.s.gtin.blend}`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ reorderPoint: '100000' }),
      });
      expect(a.status, `${reader}: ${a.text}`).to.equal(reader === AUDITOR ? 403 : OWNER.dc === reader ? 200 : 404);
    }
  },
  'GET /orders/pending': async (x) => {
    const all = (await x.r.ok(AUDITOR, '/orders/pending')).items as Any[];
    expect(all.length, 'pending orders of the scenario').to.be.greaterThan(0);
    await each(async (reader) => {
      const items = (await x.r.ok(reader, '/orders/pending')).items as Any[];
      const expected = all.filter((i) => reader === AUDITOR || i.party_a === reader || i.party_b === reader);
      same(
        reader,
        'pending orders',
        items.map((i) => JSON.stringify(i)),
        expected.map((i) => JSON.stringify(i)),
      );
    });
  },
  'GET /movements': async (x) => {
    const m = model(x.s);
    const all = (await x.r.ok(AUDITOR, '/movements?limit=1000')).items as Any[];
    await each(async (reader) => {
      const expected = all.filter((mv) => m.ownsGln(reader, mv.gln) || (mv.shipment_id && m.visibleShipments(reader).includes(mv.shipment_id)));
      const items = (await x.r.ok(reader, '/movements?limit=1000')).items as Any[];
      same(
        reader,
        'movements',
        items.map((i) => i.movement_id),
        expected.map((i) => i.movement_id),
      );
      // Pages of two walk exactly the same movements.
      const walked: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Any = await x.r.ok(reader, `/movements?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        walked.push(...(page.items as Any[]).map((i) => i.movement_id as string));
        cursor = page.nextCursor;
      } while (cursor);
      expect(walked.length, `${reader}: paged movements`).to.equal(expected.length);
      same(
        reader,
        'paged movements',
        walked,
        expected.map((i) => i.movement_id),
      );
    });
  },

  'GET /lots/:gtin/:lotCode': lotRoute('', (x, reader, _lot, body) => {
    const m = model(x.s);
    for (const p of body.positions as Any[]) expect(m.ownsGln(reader, p.gln), `${reader}: position at ${p.gln}`).to.equal(true);
    for (const t of body.inTransit as Any[]) expect(m.visibleShipments(reader), `${reader}: in transit`).to.include(t.shipment_id);
  }),
  'GET /lots/:gtin/:lotCode/trace/upstream': lotRoute('/trace/upstream', (x, reader, lot, body) => {
    const m = model(x.s);
    // Every step back to the origins, whoever made them: the provenance of what the reader holds.
    same(
      reader,
      `upstream of ${lot}`,
      (body.steps as Any[]).map((st) => `${st.gtin}/${st.lot_code}`),
      ANCESTORS[lot].map(m.lotKey),
    );
  }),
  'GET /lots/:gtin/:lotCode/trace/downstream': lotRoute('/trace/downstream', (x, reader, lot, body) => {
    const m = model(x.s);
    same(
      reader,
      `downstream of ${lot}`,
      (body.steps as Any[]).map((st) => `${st.gtin}/${st.lot_code}`),
      downstream(reader, lot).map(m.lotKey),
    );
    const held = ON_HAND.filter((h) => downstream(reader, lot).includes(h.lot) && sees(reader, [OWNER[h.site]]));
    same(
      reader,
      `holdings downstream of ${lot}`,
      (body.holdings as Any[]).map((h) => `${h.gln}/${h.gtin}/${h.lot_code}`),
      held.map((h) => `${x.s.gln[h.site]}/${m.lotKey(h.lot)}`),
    );
  }),
  'GET /lots/:gtin/:lotCode/genealogy': lotRoute('/genealogy', (x, reader, lot, body) => {
    const m = model(x.s);
    const graph = [...ANCESTORS[lot], ...downstream(reader, lot)];
    same(
      reader,
      `genealogy lots of ${lot}`,
      (body.lots as Any[]).map((l) => `${l.gtin}/${l.lot_code}`),
      graph.map(m.lotKey),
    );
    const shipments = SHIPMENTS.filter((sh) => SHIPMENT_LOTS[sh].some((l) => graph.includes(l)) && sees(reader, SHIPMENT_PARTIES[sh]));
    same(
      reader,
      `genealogy shipments of ${lot}`,
      (body.shipments as Any[]).map((l) => l.shipment_id),
      shipments.map((sh) => x.s.shipment[sh]),
    );
    for (const c of body.custody as Any[]) expect(m.visibleShipments(reader), `${reader}: custody of ${lot}`).to.include(c.shipment_id);
    for (const h of body.holdings as Any[]) expect(m.ownsGln(reader, h.gln), `${reader}: holding of ${lot} at ${h.gln}`).to.equal(true);
    for (const mv of body.movements as Any[]) {
      expect(m.ownsGln(reader, mv.gln) || m.visibleShipments(reader).includes(mv.shipment_id), `${reader}: movement of ${lot} ${JSON.stringify(mv)}`).to.equal(
        true,
      );
    }
  }),
  'GET /shipments/:shipmentId': async (x) => {
    await each(async (reader) => {
      for (const sh of SHIPMENTS) {
        const a = await x.r.query(reader, `/shipments/${x.s.shipment[sh]}`);
        expect(a.status, `${reader} ${sh}`).to.equal(sees(reader, SHIPMENT_PARTIES[sh]) ? 200 : 404);
      }
    });
  },
  'GET /shipments': async (x) => {
    await each(async (reader) => {
      const list = (await x.r.ok(reader, '/shipments?limit=1000')).shipments as Any[];
      same(
        reader,
        'shipments',
        list.map((sh) => sh.shipment_id),
        model(x.s).visibleShipments(reader),
      );
    });
  },
  'GET /purchase-orders': async (x) => {
    await each(async (reader) => {
      const list = (await x.r.ok(reader, '/purchase-orders?limit=1000')).orders as Any[];
      const expected = (['PO1', 'PO2'] as const).filter((p) => sees(reader, PO_PARTIES[p])).map((p) => x.s.po[p]);
      same(
        reader,
        'purchase orders',
        list.map((o) => o.po_id),
        expected,
      );
    });
  },
  'GET /recalls': async (x) => {
    const m = model(x.s);
    await each(async (reader) => {
      const list = (await x.r.ok(reader, '/recalls?limit=1000')).recalls as Any[];
      same(
        reader,
        'recalls',
        list.map((rc) => rc.recall_id),
        sees(reader, RECALL_GRANT) ? [x.s.recallId] : [],
      );
      for (const rc of list) {
        same(
          reader,
          'lots a recall affects',
          (rc.affected as Any[]).map((a) => `${a.gtin}/${a.lotCode}`),
          RECALL_LOTS.filter((l) => sees(reader, LOT_GRANT[l])).map(m.lotKey),
        );
        for (const a of rc.affected as Any[])
          for (const p of a.positions as Any[]) expect(m.ownsGln(reader, p.gln), `${reader}: recall position`).to.equal(true);
      }
    });
  },
  'GET /search': async (x) => {
    const probes: Array<{ q: string; grant: readonly string[] }> = [
      { q: x.s.shipment.SH2, grant: SHIPMENT_PARTIES.SH2 },
      { q: x.s.shipment.SH1, grant: SHIPMENT_PARTIES.SH1 },
      { q: x.s.po.PO1, grant: PO_PARTIES.PO1 },
      { q: x.s.tx['create SH2'].txId, grant: TX_GRANT['create SH2'] },
      { q: x.s.tx['commission C3'].txId, grant: TX_GRANT['commission C3'] },
    ];
    await each(async (reader) => {
      for (const p of probes) {
        const body = await x.r.ok(reader, `/search?q=${encodeURIComponent(p.q)}`);
        same(
          reader,
          `search ${p.q}`,
          (body.matches as Any[]).map((mt) => mt.id),
          reader === AUDITOR || p.grant.includes(reader) ? [p.q] : [],
        );
      }
    });
  },

  'GET /ledger/blocks': async (x) => {
    const listed: Record<string, Set<string>> = {};
    await each(async (reader) => {
      const blocks = (await x.r.ok(reader, '/ledger/blocks?limit=200')).blocks as Any[];
      listed[reader] = new Set(blocks.flatMap((b) => (b.transactions as Any[]).map((t) => t.tx_id as string)));
      // A block with nothing the reader may see is left out.
      for (const b of blocks) expect((b.transactions as Any[]).length, `${reader}: block ${b.block_number} listed empty`).to.be.greaterThan(0);
    });
    for (const [name, grant] of Object.entries(TX_GRANT)) {
      for (const reader of READERS) {
        expect(listed[reader].has(x.s.tx[name].txId), `${reader}: ${name} in the ledger view`).to.equal(sees(reader, grant));
      }
    }
    // Every transaction a member lists is one the auditor lists too.
    for (const reader of MEMBERS) for (const t of listed[reader]) expect(listed[AUDITOR].has(t)).to.equal(true);
  },
  'GET /ledger/config-blocks': sameForAll('/ledger/config-blocks', 200, { body: true }),
  'GET /ledger/transactions/:txId': async (x) => {
    for (const [name, grant] of Object.entries(TX_GRANT)) {
      for (const reader of READERS) expect(await txVisible(x, reader, x.s.tx[name].txId), `${reader}: ${name}`).to.equal(sees(reader, grant));
    }
  },
  // The live stream is the matrix's "live" case (visibility-matrix.test.ts): here, who may open it.
  'GET /ledger/stream': async (x) => {
    for (const reader of READERS) {
      const ac = new AbortController();
      const res = await fetch(`${x.net.queryUrl}/ledger/stream`, { headers: { Authorization: x.net.auth[reader] }, signal: ac.signal });
      expect(res.status, reader).to.equal(200);
      ac.abort();
      await res.body?.cancel().catch(() => undefined);
    }
  },
  'GET /recalls/scope': async (x) => {
    const m = model(x.s);
    await each(async (reader) => {
      const a = await x.r.query(reader, `/recalls/scope?lot=${encodeURIComponent(m.lotKey('B'))}`);
      expect(a.status, `${reader}: ${a.text.slice(0, 200)}`).to.equal(sees(reader, LOT_GRANT.B) ? 200 : 404);
      if (a.status !== 200) return;
      same(
        reader,
        'lots in the scope of a recall of B',
        (a.body.affectedLots as Any[]).map((l) => `${l.gtin}/${l.lot_code}`),
        downstream(reader, 'B').map(m.lotKey),
      );
      for (const h of a.body.holdings as Any[]) expect(m.ownsGln(reader, h.gln), `${reader}: recall holding`).to.equal(true);
      // By product and period: only the lots of the reader's provenance.
      const byPeriod = await x.r.ok(reader, `/recalls/scope?gtin=${x.s.gtin.g2}&from=2000-01-01&to=2100-01-01`);
      same(
        reader,
        'roots of product g2',
        (byPeriod.roots as Any[]).map((l) => `${l.gtin}/${l.lot_code}`),
        (['B', 'B2'] as LotName[]).filter((l) => sees(reader, LOT_GRANT[l])).map(m.lotKey),
      );
    });
  },

  // ---- EPCIS ----------------------------------------------------------------------------------
  ...EPCIS_ROWS,
  'GET /fsma/export/key': sameForAll('/fsma/export/key?format=json', 200, { body: true }),
  'GET /fsma/export': async (x) => {
    await each(async (reader) => {
      const a = await x.r.query(reader, '/fsma/export?format=csv');
      expect(a.status, reader).to.equal(200);
      const expected = reader === AUDITOR ? LOTS : FSMA_LOTS[reader];
      for (const l of LOTS) expect(a.text.includes(x.s.lot[l]), `${reader}: lot ${l} in its FSMA export`).to.equal(expected.includes(l));
      if (reader !== AUDITOR && expected.length === 0) expect(a.text.trim().split('\n').length, `${reader}: rows`).to.equal(1);
    });
  },

  // ---- membership: every member's common knowledge --------------------------------------------
  'GET /membership': async (x) => {
    await sameForAll('/membership', 200, { body: true })(x);
    for (const [name, grant] of Object.entries(TX_GRANT)) {
      for (const reader of READERS) {
        const a = await x.r.query(reader, `/membership?txId=${x.s.tx[name].txId}`);
        expect(a.status, `${reader}: membership as of ${name}`).to.equal(sees(reader, grant) ? 200 : 404);
      }
    }
  },
  'GET /membership/registry': sameForAll('/membership/registry', 200, { body: true }),
  'GET /membership/proposals': sameForAll('/membership/proposals', 200, { body: true }),
  'GET /membership/proposals/:proposalId': sameForAll('/membership/proposals/no-such-proposal', 404),
};

/** The matrix key of a route-table row. */
export const routeKey = (r: { method: string; path: string }) => `${r.method.toUpperCase()} ${r.path}`;
