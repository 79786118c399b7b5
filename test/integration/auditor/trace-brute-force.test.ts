import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { connectDevnet } from '../../../network/src/connect-devnet';
import type { LedgerClient } from '../../../lib/fabric/src';
import { sharedDevnet } from '../../fixtures/test-devnet';
import type { Indexer } from '../../../indexer/src/main';
import { SUPPLIER, eventId, submitJson, uniqueGln, uniqueGtin, type Orgs } from '../chaincode/ledger-fixtures';
import { startIndexedLedger, type IndexedLedger } from '../indexer/indexed-ledger';
import { queryApi, waitForBlock } from '../indexer/harness';

/** Facts rebuilt by walking every block of the ledger: lineage edges and final stock per position. */
interface BruteForce {
  children: Map<string, Set<string>>;
  parents: Map<string, Set<string>>;
  onHand: Map<string, { gln: string; lot: string; baseUnits: bigint }>;
  movements: number;
}

const lotOfClass = (epcClass: string) => {
  const m = /\/01\/(\d{14})\/10\/(.+)$/.exec(epcClass);
  return m ? `${m[1]}/${decodeURIComponent(m[2])}` : epcClass;
};

async function walkLedger(ledger: LedgerClient): Promise<BruteForce> {
  const bf: BruteForce = { children: new Map(), parents: new Map(), onHand: new Map(), movements: 0 };
  const height = await ledger.height();
  const link = (m: Map<string, Set<string>>, a: string, b: string) => m.set(a, (m.get(a) ?? new Set()).add(b));
  for (let n = 0n; n < height; n++) {
    const block = await ledger.blockByNumber(n);
    for (const tx of block.transactions) {
      if (tx.validationCode !== 'VALID' || tx.event?.name !== 'TraceEvents') continue;
      const payload = JSON.parse(tx.event.payload.toString('utf8'));
      for (const ev of payload.events ?? []) {
        if (ev.type === 'TransformationEvent') {
          for (const i of ev.inputQuantityList ?? [])
            for (const o of ev.outputQuantityList ?? []) {
              link(bf.children, lotOfClass(i.epcClass), lotOfClass(o.epcClass));
              link(bf.parents, lotOfClass(o.epcClass), lotOfClass(i.epcClass));
            }
        }
        for (const line of ev['ct:ledger']?.stock ?? []) {
          bf.movements += 1;
          if (line.position !== 'on_hand') continue;
          bf.onHand.set(line.key, { gln: line.gln, lot: `${line.gtin}/${line.lotCode}`, baseUnits: BigInt(line.baseUnits) });
        }
      }
    }
  }
  return bf;
}

function closure(edges: Map<string, Set<string>>, root: string): Set<string> {
  const seen = new Set<string>([root]);
  const queue = [root];
  while (queue.length) for (const next of edges.get(queue.shift()!) ?? []) if (!seen.has(next)) (seen.add(next), queue.push(next));
  return seen;
}

describe('auditor: indexed traces equal a brute-force walk of the ledger (1,000+ movements)', function () {
  this.timeout(600_000);
  let fx: IndexedLedger;
  let orgs: Orgs;
  let indexer: Indexer;
  let pool: Pool;
  let ledger: LedgerClient;
  const sites = [uniqueGln(), uniqueGln(), uniqueGln(), uniqueGln()];
  const green = uniqueGtin();
  const roasted = uniqueGtin();
  const tag = randomBytes(3).toString('hex').toUpperCase();
  const greenLots = Array.from({ length: 12 }, (_, i) => `G${tag}-${i}`);
  const roastLots: string[] = [];
  /** Our own running balance per site and lot, so every movement is possible. */
  const held = new Map<string, number>();
  const key = (gln: string, gtin: string, lot: string) => `${gln}|${gtin}|${lot}`;
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);

  before(async () => {
    fx = await startIndexedLedger();
    ({ orgs, indexer, pool } = fx);
    ledger = await connectDevnet(sharedDevnet(), 'AuditorMSP');
    const s = orgs[SUPPLIER];
    for (const [i, g] of sites.entries()) {
      await submitJson(s, 'RegisterLocation', {
        eventId: eventId(),
        gln: g,
        type: i === 3 ? 'roastery' : 'supplier_site',
        name: `site ${i}`,
        address: { country: 'DE' },
      });
    }
    await submitJson(s, 'RegisterProduct', { eventId: eventId(), gtin: green, description: 'Green coffee', unit: 'KGM' });
    await submitJson(s, 'RegisterProduct', { eventId: eventId(), gtin: roasted, description: 'Roasted beans', unit: 'KGM' });
    for (const lot of greenLots) {
      await submitJson(s, 'CommissionLot', { eventId: eventId(), gln: sites[0], gtin: green, lotCode: lot, quantity: '5000' });
      held.set(key(sites[0], green, lot), 5000);
    }
    let last = 0n;
    // 200 transfers of up to 10 lines (two stock changes per line), with a roast every 12 transfers.
    for (let t = 0; t < 200; t++) {
      const lines: Array<{ gtin: string; lotCode: string; quantity: string }> = [];
      const stocked = sites.filter((g) => [...held.entries()].some(([k, q]) => k.startsWith(`${g}|`) && q >= 1));
      const from = stocked[rand(stocked.length)];
      const to = sites.filter((x) => x !== from)[rand(3)];
      const candidates = [...held.entries()].filter(([k, q]) => k.startsWith(`${from}|`) && q >= 1);
      for (let l = 0; l < 10 && candidates.length > 0; l++) {
        const [k, q] = candidates[rand(candidates.length)];
        const [, gtin, lot] = k.split('|');
        if (lines.some((x) => x.lotCode === lot)) continue;
        const qty = Math.max(1, rand(Math.min(q, 40)));
        lines.push({ gtin, lotCode: lot, quantity: String(qty) });
        held.set(k, q - qty);
        held.set(key(to, gtin, lot), (held.get(key(to, gtin, lot)) ?? 0) + qty);
      }
      if (lines.length === 0) continue;
      last = (await submitJson(s, 'TransferStock', { eventId: eventId(), fromGln: from, toGln: to, lines })).commit.blockNumber;
      if (t % 12 === 11) {
        const inputs = [...held.entries()].filter(([k, q]) => k.startsWith(`${sites[3]}|${green}|`) && q >= 2).slice(0, 2);
        if (inputs.length === 0) continue;
        const out = `R${tag}-${t}`;
        const res = await submitJson(s, 'TransformLots', {
          eventId: eventId(),
          gln: sites[3],
          inputs: inputs.map(([k, q]) => ({ gtin: green, lotCode: k.split('|')[2], quantity: String(Math.floor(q / 2)) })),
          outputs: [{ gtin: roasted, lotCode: out, quantity: '10' }],
        });
        for (const [k, q] of inputs) held.set(k, q - Math.floor(q / 2));
        held.set(key(sites[3], roasted, out), 10);
        roastLots.push(out);
        last = res.commit.blockNumber;
      }
    }
    await waitForBlock(pool, last, 180_000);
  });

  after(async () => {
    ledger?.close();
    await fx?.stop();
  });

  it('indexes at least 1,000 movements of the generated chain', async () => {
    const n = await pool.query('SELECT count(*)::int AS n FROM stock_movements WHERE gtin = ANY($1)', [[green, roasted]]);
    expect(n.rows[0].n).to.be.at.least(1000);
    expect(roastLots.length).to.be.at.least(2);
  });

  it('matches the brute-force downstream scope and holdings of every green lot', async () => {
    const bf = await walkLedger(ledger);
    const api = await queryApi(indexer);
    for (const lot of greenLots) {
      const root = `${green}/${lot}`;
      const scope = closure(bf.children, root);
      const expectedHoldings = [...bf.onHand.values()]
        .filter((h) => scope.has(h.lot) && h.baseUnits > 0n)
        .map((h) => `${h.lot}@${h.gln}=${h.baseUnits}`)
        .sort();
      const res = await api.get(`/lots/${green}/${encodeURIComponent(lot)}/trace/downstream`);
      expect(res.status).to.equal(200);
      const indexedScope = new Set<string>([root, ...res.body.steps.map((s: any) => `${s.gtin}/${s.lot_code}`)]);
      expect([...indexedScope].sort(), `scope of ${root}`).to.deep.equal([...scope].sort());
      const holdings = res.body.holdings.map((h: any) => `${h.gtin}/${h.lot_code}@${h.gln}=${BigInt(Math.round(Number(h.quantity) * 1000))}`).sort();
      expect(holdings, `holdings of ${root}`).to.deep.equal(expectedHoldings);
    }
  });

  it('matches the brute-force upstream origins of every roasted lot', async () => {
    const bf = await walkLedger(ledger);
    const api = await queryApi(indexer);
    for (const lot of roastLots) {
      const root = `${roasted}/${lot}`;
      const expected = [...closure(bf.parents, root)].filter((x) => x !== root).sort();
      const res = await api.get(`/lots/${roasted}/${encodeURIComponent(lot)}/trace/upstream`);
      expect(res.status).to.equal(200);
      const got = [...new Set<string>(res.body.steps.map((s: any) => `${s.gtin}/${s.lot_code}`))].sort();
      expect(got, `upstream of ${root}`).to.deep.equal(expected);
    }
  });
});
