import { expect } from 'chai';
import type { ValidateFunction } from 'ajv';
import { epcisSchemaValidator, startScenario, stopScenario, type Scenario } from './auditor-setup';
import { ledgerTip, waitForBlock } from '../indexer/harness';

type Ev = Record<string, any>;

describe('auditor: EPCIS 2.0 query interface (GET /epcis/events)', function () {
  this.timeout(300_000);
  let s: Scenario;
  let validate: ValidateFunction;
  let all: Ev[];
  const docs: unknown[] = [];

  /** GETs one page; validates the document against GS1's schema; returns events and the next link. */
  async function page(query: string): Promise<{ events: Ev[]; next?: string }> {
    const res = await s.api.get(`/epcis/events${query}`).expect(200);
    expect(res.body.type).to.equal('EPCISQueryDocument');
    expect(res.body.epcisBody.queryResults.queryName).to.equal('SimpleEventQuery');
    docs.push(res.body);
    expect(validate(res.body), JSON.stringify(validate.errors?.slice(0, 5))).to.equal(true);
    const link = res.headers.link as string | undefined;
    const next = link ? /^<([^>]+)>; rel="next"$/.exec(link)?.[1] : undefined;
    if (link) expect(next, link).to.be.a('string');
    return { events: res.body.epcisBody.queryResults.resultsBody.eventList, next };
  }

  /**
   * The repository as of `until`: other tests' transactions may still commit while this one reads, so every
   * query reads the events recorded before it (LT_recordTime), all of them indexed before the first read.
   */
  let until = '';

  /** Every event of a query, following Link headers. */
  async function every(query: string): Promise<Ev[]> {
    const out: Ev[] = [];
    let p = await page(`${query}${query.includes('?') ? '&' : '?'}LT_recordTime=${encodeURIComponent(until)}`);
    out.push(...p.events);
    while (p.next) {
      const u = new URL(p.next);
      p = await page(u.search);
      out.push(...p.events);
    }
    return out;
  }

  // An event recorded without eventID (EPCIS makes it optional; a member's own client may write one) is told by its content.
  const key = (e: Ev) => `${e['ct:ledger']?.txId}/${e.eventID ?? JSON.stringify(e)}/${e.errorDeclaration ? 'err' : ''}`;
  const keys = (l: Ev[]) => l.map(key);
  const classes = (e: Ev, lists: string[]) => lists.flatMap((l) => (e[l] ?? []).map((q: Ev) => q.epcClass));
  const dl = (gtin: string, lot: string) => `https://id.gs1.org/01/${gtin}/10/${encodeURIComponent(lot)}`;

  /** The filter must return exactly the brute-force selection of all events, in the same order, and narrow it. */
  async function expectFilter(query: string, pred: (e: Ev) => boolean): Promise<Ev[]> {
    const got = await every(`?perPage=3&${query}`);
    const want = all.filter(pred);
    expect(keys(got), query).to.deep.equal(keys(want));
    expect(got.length, `${query} must match something`).to.be.greaterThan(0);
    expect(got.length, `${query} must narrow`).to.be.lessThan(all.length);
    return got;
  }

  before(async () => {
    validate = epcisSchemaValidator();
    s = await startScenario();
    until = new Date().toISOString();
    // What was recorded before `until` is committed within a moment; the indexer then reaches the ledger's tip.
    await new Promise((r) => setTimeout(r, 2000));
    await waitForBlock(s.pool, (await ledgerTip(s.orgs)) - 1n);
    all = await every('?perPage=1000');
  });

  after(async () => {
    await stopScenario(s);
  });

  it('returns every indexed event once, in record order, across pages of any size', async () => {
    const n = (await s.pool.query('SELECT count(*)::int AS n FROM epcis_events WHERE record_time < $1', [until])).rows[0].n;
    expect(all).to.have.length(n);
    for (const size of [1, 4, 7]) {
      const paged = await every(`?perPage=${size}`);
      expect(keys(paged)).to.deep.equal(keys(all));
      expect(new Set(keys(paged)).size).to.equal(paged.length);
    }
    const mine = all.filter((e) => s.chain.txIds.includes(e['ct:ledger']?.txId));
    expect(mine.length).to.be.at.least(9);
    for (const e of all) expect(e.recordTime).to.be.a('string');
  });

  it('answers documents that validate against the EPCIS 2.0 JSON schema of gs1/EPCIS, with the ct prefix declared', () => {
    expect(docs.length).to.be.greaterThan(10);
    for (const d of docs) {
      expect(validate(d), JSON.stringify(validate.errors?.slice(0, 5))).to.equal(true);
      expect((d as Ev)['@context']).to.deep.include({ ct: 'urn:coffee-trace:ns:' });
    }
    // The schema is not vacuous: a broken event is rejected.
    const bad = JSON.parse(JSON.stringify(docs[0]));
    bad.epcisBody.queryResults.resultsBody.eventList = [{ ...all[0], eventTimeZoneOffset: 'UTC', action: 'MOVE' }];
    expect(validate(bad)).to.equal(false);
  });

  it('filters by eventType, bizStep, disposition and bizLocation', async () => {
    await expectFilter('eventType=TransformationEvent', (e) => e.type === 'TransformationEvent');
    await expectFilter('EQ_bizStep=shipping,receiving', (e) => ['shipping', 'receiving'].includes(e.bizStep));
    await expectFilter('EQ_bizStep=urn:epcglobal:cbv:bizstep:shipping', (e) => e.bizStep === 'shipping');
    await expectFilter('EQ_disposition=in_transit', (e) => e.disposition === 'in_transit');
    const sgln = (await s.pool.query('SELECT sgln FROM warehouses WHERE gln = $1', [s.chain.gln.roastery])).rows[0].sgln;
    await expectFilter(`EQ_bizLocation=${encodeURIComponent(sgln)}`, (e) => e.bizLocation?.id === sgln);
    await expectFilter(
      `eventType=ObjectEvent&EQ_bizStep=shipping&EQ_bizLocation=${encodeURIComponent(sgln)}`,
      (e) => e.type === 'ObjectEvent' && e.bizStep === 'shipping' && e.bizLocation?.id === sgln,
    );
  });

  it('filters by event time (GE_eventTime inclusive, LT_eventTime exclusive)', async () => {
    const mine = all.filter((e) => s.chain.txIds.includes(e['ct:ledger']?.txId));
    const t = mine[Math.floor(mine.length / 2)].eventTime as string;
    await expectFilter(`GE_eventTime=${encodeURIComponent(t)}`, (e) => Date.parse(e.eventTime) >= Date.parse(t));
    await expectFilter(`LT_eventTime=${encodeURIComponent(t)}`, (e) => Date.parse(e.eventTime) < Date.parse(t));
  });

  it('matches EPC classes (quantityList only, or any list) given as Digital Link, LGTIN URN or pattern', async () => {
    const roast = dl(s.chain.gtin.roasted, s.chain.roastLot);
    const direct = await expectFilter(`MATCH_epcClass=${encodeURIComponent(roast)}`, (e) => classes(e, ['quantityList', 'childQuantityList']).includes(roast));
    expect(direct.some((e) => e.type === 'TransformationEvent')).to.equal(false);
    const any = await expectFilter(`MATCH_anyEPCClass=${encodeURIComponent(roast)}`, (e) =>
      classes(e, ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList']).includes(roast),
    );
    expect(any.some((e) => e.type === 'TransformationEvent')).to.equal(true);
    const g = s.chain.gtin.roasted;
    const lgtin = `urn:epc:class:lgtin:${g.slice(1, 8)}.${g[0]}${g.slice(8, 13)}.${s.chain.roastLot}`;
    expect(keys(await every(`?MATCH_epcClass=${encodeURIComponent(lgtin)}`))).to.deep.equal(keys(direct));
    const green = s.chain.gtin.green;
    await expectFilter(`MATCH_anyEPCClass=${encodeURIComponent(`https://id.gs1.org/01/${green}/10/*`)}`, (e) =>
      classes(e, ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList']).some((c) =>
        c.startsWith(`https://id.gs1.org/01/${green}/10/`),
      ),
    );
  });

  it('filters by business transaction type and id (EQ_bizTransaction_<type>)', async () => {
    const bol = `urn:epcglobal:cbv:bt:${s.chain.gln.roastery}:${s.docShipment.bol}`;
    const got = await expectFilter(`EQ_bizTransaction_bol=${encodeURIComponent(bol)}`, (e) =>
      (e.bizTransactionList ?? []).some((b: Ev) => b.type === 'bol' && b.bizTransaction === bol),
    );
    expect(got.map((e) => e.bizStep)).to.include.members(['shipping', 'receiving']);
    expect(await every(`?EQ_bizTransaction_po=${encodeURIComponent(bol)}`)).to.have.length(0);
  });

  it('answers 400 problem+json naming the parameter for unknown or malformed parameters and foreign page tokens', async () => {
    const cases: Array<[string, string]> = [
      ['colour=red', 'colour'],
      ['perPage=0', 'perPage'],
      ['perPage=1001', 'perPage'],
      ['perPage=abc', 'perPage'],
      ['eventType=FooEvent', 'eventType'],
      ['GE_eventTime=yesterday', 'GE_eventTime'],
      ['LT_eventTime=2025-01-01', 'LT_eventTime'],
      ['EQ_bizLocation=not a uri', 'EQ_bizLocation'],
      ['MATCH_epcClass=a*b*', 'MATCH_epcClass'],
      ['EQ_bizStep=shipping&EQ_bizStep=receiving', 'EQ_bizStep'],
      ['nextPageToken=garbage!', 'nextPageToken'],
      ['EQ_bizStep=', 'EQ_bizStep'],
    ];
    for (const [q, param] of cases) {
      const res = await s.api.get(`/epcis/events?${q}`).expect(400);
      expect(res.headers['content-type'], q).to.match(/^application\/problem\+json/);
      const body = JSON.parse(res.text);
      expect(body, q).to.include({ status: 400, parameter: param });
      expect(body.type).to.equal('epcisException:QueryParameterException');
    }
    const first = await s.api.get('/epcis/events?perPage=2&EQ_bizStep=shipping').expect(200);
    const token = new URL(/<([^>]+)>/.exec(first.headers.link)![1]).searchParams.get('nextPageToken')!;
    await s.api.get(`/epcis/events?perPage=2&EQ_bizStep=receiving&nextPageToken=${token}`).expect(400);
    await s.api.get(`/epcis/events?perPage=5&EQ_bizStep=shipping&nextPageToken=${token}`).expect(200);
  });
});
