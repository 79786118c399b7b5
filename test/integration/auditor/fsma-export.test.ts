import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { parseString } from '@fast-csv/parse';
import { FSMA_COLUMNS, NOT_APPLICABLE } from '../../../indexer/src/query/fsma/fsma-columns';
import { startScenario, stopScenario, type Scenario } from './auditor-setup';

type Ev = Record<string, any>;

/** Parses CSV with fast-csv (a parser the project did not write). */
function parseCsv(text: string): Promise<string[][]> {
  return new Promise((resolve, reject) => {
    const rows: string[][] = [];
    parseString(text, { headers: false })
      .on('data', (r: string[]) => rows.push(r))
      .on('error', reject)
      .on('end', () => resolve(rows));
  });
}

function binary(res: any, cb: (err: Error | null, body: any) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}

describe('auditor: FSMA 204 sortable spreadsheet (GET /fsma/export)', function () {
  this.timeout(300_000);
  let s: Scenario;
  let tlcs: string[];
  let expected: Ev[];
  let csv: string[][];
  const col = (h: string) => FSMA_COLUMNS.findIndex((c) => c.header === h);

  before(async () => {
    s = await startScenario();
    const c = s.chain;
    tlcs = [`${c.gtin.green}/${c.greenLot}`, `${c.gtin.roasted}/${c.roastLot}`, `${c.gtin.green}/${c.greenLot}-2`];
    // Brute force from the EPCIS interface: the CTEs (packing, transformation, shipping, receiving) of these lots.
    const res = await s.api.get('/epcis/events?perPage=1000').expect(200);
    const classes = tlcs.map((t) => {
      const [g, l] = t.split('/');
      return `https://id.gs1.org/01/${g}/10/${encodeURIComponent(l)}`;
    });
    expected = (res.body.epcisBody.queryResults.resultsBody.eventList as Ev[]).filter((e) => {
      const cte = e.type === 'TransformationEvent' || (e.bizStep === 'commissioning' && e.action === 'ADD') || ['shipping', 'receiving'].includes(e.bizStep);
      const lists = ['quantityList', 'inputQuantityList', 'outputQuantityList'].flatMap((l) => (e[l] ?? []).map((q: Ev) => q.epcClass));
      return cte && !e.errorDeclaration && lists.some((x) => classes.includes(x));
    });
    const text = (await s.api.get(`/fsma/export?format=csv&tlc=${encodeURIComponent(tlcs.join(','))}`).expect(200)).text;
    csv = await parseCsv(text);
  });

  after(async () => {
    await stopScenario(s);
  });

  it('CSV: one row per critical tracking event of the requested TLCs, every KDE column filled', () => {
    expect(csv[0]).to.deep.equal(FSMA_COLUMNS.map((c) => c.header));
    const rows = csv.slice(1);
    expect(rows.map((r) => r[col('EPCIS event ID')]).sort()).to.deep.equal(expected.map((e) => e.eventID).sort());
    for (const r of rows) {
      expect(r).to.have.length(FSMA_COLUMNS.length);
      for (const [i, v] of r.entries()) expect(v, `${FSMA_COLUMNS[i].header} of ${r[0]} ${r[col('EPCIS event ID')]}`).to.not.equal('');
    }
    expect(new Set(rows.map((r) => r[col('CTE')]))).to.deep.equal(new Set(['IPK', 'TRF', 'SHP', 'RCV']));
  });

  it('CSV: the facts of each CTE (locations with name and GLN, TLC source, inputs, reference documents)', () => {
    const c = s.chain;
    const rows = csv.slice(1).map((r) => Object.fromEntries(FSMA_COLUMNS.map((k, i) => [k.header, r[i]])));
    const trf = rows.find((r) => r.CTE === 'TRF')!;
    expect(trf['Traceability lot code (TLC)']).to.equal(`${c.gtin.roasted}/${c.roastLot}`);
    expect(trf['Transformation inputs (TLC; description; quantity used)']).to.equal(`${c.gtin.green}/${c.greenLot}; Green coffee; 600 KGM`);
    expect(trf['Reference document type']).to.equal('WO');
    expect(trf['Ship-to / receiving location GLN']).to.equal(NOT_APPLICABLE);
    expect(trf['TLC source reference (GLN)']).to.equal(c.gln.roastery);
    const ship = rows.find((r) => r.CTE === 'SHP' && r['Reference document number'] === c.shipmentId)!;
    expect(ship).to.include({
      'Ship-from / previous source GLN': c.gln.roastery,
      'Ship-to / receiving location GLN': c.gln.dc,
      Quantity: '500',
      'Unit of measure': 'KGM',
      'Reference document type': 'SHIPMENT',
    });
    expect(ship['Ship-to / receiving location business name']).to.equal(`dc ${c.gln.dc}`);
    expect(ship['Product description']).to.equal('Roasted beans');
    const docs = rows.filter((r) => r['Reference document number'] === `${s.docShipment.desadv}; ${s.docShipment.bol}`);
    expect(docs.map((r) => r.CTE).sort()).to.deep.equal(['RCV', 'SHP']);
    expect(docs[0]['Reference document type']).to.equal('ASN; BOL');
    const rcv = docs.find((r) => r.CTE === 'RCV')!;
    expect(rcv).to.include({ 'Ship-from / previous source GLN': c.gln.roastery, 'CTE location GLN': c.gln.dc, 'CTE location country': 'DE' });
    const transfer = rows.filter((r) => r['Ship-to / receiving location GLN'] === c.gln.store);
    expect(transfer.map((r) => r.CTE).sort()).to.deep.equal(['RCV', 'SHP']);
    expect(transfer[0]['Reference document type']).to.equal('LEDGER_TX');
    for (const r of rows) expect(s.chain.txIds).to.include(r['Ledger transaction ID']);
  });

  it('XLSX: opens with exceljs as a sortable table (auto-filter, one row per event, all KDEs) plus a key sheet, same rows as the CSV', async () => {
    const res = await s.api
      .get(`/fsma/export?format=xlsx&tlc=${encodeURIComponent(tlcs.join(','))}`)
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(res.headers['content-type']).to.match(/spreadsheetml/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as any);
    const ws = wb.getWorksheet('FSMA 204 records')!;
    expect(ws).to.not.equal(undefined);
    expect(ws.autoFilter)
      .to.be.a('string')
      .and.match(/^A1:[A-Z]+1$/);
    const values: string[][] = [];
    ws.eachRow((row) => values.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ''))));
    expect(values).to.have.length(csv.length);
    expect(values).to.deep.equal(csv);
    for (const r of values) expect(r.every((v) => v !== '')).to.equal(true);
    const key = wb.getWorksheet('Key')!;
    const codes: string[] = [];
    key.eachRow((row) => codes.push(String(row.getCell(2).value)));
    expect(codes).to.include.members(['IPK', 'TRF', 'SHP', 'RCV', 'BOL', 'ASN', 'LEDGER_TX', NOT_APPLICABLE, ...FSMA_COLUMNS.map((c) => c.header)]);
  });

  it('filters by date range, serves the key as CSV, and rejects malformed parameters with 400', async () => {
    const none = await parseCsv((await s.api.get('/fsma/export?format=csv&from=2000-01-01&to=2000-01-31').expect(200)).text);
    expect(none).to.have.length(1);
    const today = new Date().toISOString().slice(0, 10);
    const within = await parseCsv(
      (await s.api.get(`/fsma/export?format=csv&from=2000-01-01&to=${today}&tlc=${encodeURIComponent(tlcs.join(','))}`).expect(200)).text,
    );
    expect(within).to.deep.equal(csv);
    const key = await parseCsv((await s.api.get('/fsma/export/key').expect(200)).text);
    expect(key[0]).to.deep.equal(['Section', 'Code or column', 'Meaning']);
    expect(key.map((r) => r[1])).to.include.members(['IPK', 'SHP', 'RCV', 'TRF']);
    for (const [q, field] of [
      ['format=pdf', 'format'],
      ['tlc=123/ABC', 'tlc'],
      ['from=yesterday', 'from'],
      ['lot=1', 'lot'],
      ['from=2025-02-01&to=2025-01-01', 'from'],
    ]) {
      const res = await s.api.get(`/fsma/export?${q}`).expect(400);
      // The query API's problem+json is the gateway's: the bad parameter is the field of errors[0].
      expect(JSON.parse(res.text).errors?.[0]?.field, q).to.equal(field);
    }
  });
});
