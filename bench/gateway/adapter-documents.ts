/**
 * Benchmark: SAP goods-movement IDoc items per second end to end (POST
 * /sap/idocs → the items committed, consecutive ones together in SubmitBatch
 * transactions, each with its own event id and status), first send and resend
 * (every item already committed); POSLog lines per second through reading
 * and batching with the transaction-state handling against the reader
 * before it, in the same run; and POSLog lines per second end to end.
 *
 *   npm run bench:adapters -- [--items 500] [--pos-tx 5000] [--keep]
 *
 * Brings up its own devnet and PostgreSQL on BENCH_PORT_BASE (default 57000) and stops both at the end unless `--keep`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gs1CheckDigit } from '../../chaincode/src/traceability/gs1';
import { batchReceipts } from '../../gateway/src/adapters/pos/batching';
import { parsePosLog } from '../../gateway/src/adapters/pos/receipts';
import { loadGatewayConfig } from '../../gateway/src/config';
import { start } from '../../gateway/src/main';
import { devnetLedgerEnv } from '../../network/src/connection-files';
import { devnetDown, devnetUp } from '../../network/src/devnet';
import { readDevnetInfo } from '../../network/src/devnet-info';
import { createPostgres } from '../../network/src/services/postgres';
import { testDevnetConfig } from '../../test/fixtures/test-devnet';
import { parsePosLogBaseline } from './baseline-poslog';

const arg = (name: string, d: number) => Number(process.argv[process.argv.indexOf(`--${name}`) + 1] || d) || d;
const withCheck = (body: string) => body + gs1CheckDigit(body);

function poslog(gtin: string, store: string, n: number, tag: string): string {
  const tx = (i: number) => {
    // Mostly finished sales; every 10th cancelled, every 25th training, each with a voided line.
    const state = i % 10 === 9 ? ' TransactionStatus="Cancelled"' : ' TransactionStatus="Finished"';
    const training = i % 25 === 24 ? ' TrainingModeFlag="true"' : '';
    return (
      `<Transaction${training}><BusinessUnit><UnitID>${store}</UnitID></BusinessUnit><TransactionID>${tag}-${i}</TransactionID><RetailTransaction${state}>` +
      `<LineItem><Sale><ItemID>${gtin}</ItemID><Quantity>1</Quantity></Sale></LineItem>` +
      `<LineItem VoidFlag="true"><Sale><ItemID>${gtin}</ItemID><Quantity>2</Quantity></Sale></LineItem></RetailTransaction></Transaction>`
    );
  };
  return `<POSLog xmlns="http://www.nrf-arts.org/IXRetail/v6.0.0/poslog">${Array.from({ length: n }, (_, i) => tx(i)).join('')}</POSLog>`;
}

async function main() {
  const items = arg('items', 500);
  const posTx = arg('pos-tx', 5000);
  const base = Number(process.env.BENCH_PORT_BASE ?? 57000);
  const cfg = testDevnetConfig(base);
  const log = (m: string) => console.log(`[bench] ${m}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-adapters-'));
  const gln = { a: withCheck('761300100001'), b: withCheck('761300100002'), store: withCheck('761300100003') };
  const gtin = withCheck(`09${String(Date.now() % 1e10).padStart(11, '0')}`);
  fs.writeFileSync(
    path.join(dir, 'mappings.json'),
    JSON.stringify({ sap: { plants: { '1000/0001': gln.a, '1000/0002': gln.b }, materials: { 'MAT-B': gtin } }, pos: { stores: { S1: gln.store } } }),
  );

  // In-process POSLog reading + batching, new reader vs the reader before transaction states, same input.
  const xml = poslog(gtin, 'S1', posTx, 'P');
  const lines = posTx * 2;
  // Rounds alternate between the two readers and the median counts, so load from other processes hits both alike.
  const runNew = () => batchReceipts(parsePosLog(xml), { S1: gln.store });
  const runOld = () => batchReceipts(parsePosLogBaseline(xml), { S1: gln.store });
  runNew();
  runOld();
  const times: { n: number[]; o: number[] } = { n: [], o: [] };
  for (let r = 0; r < 9; r++) {
    for (const [k, fn] of [
      ['n', runNew],
      ['o', runOld],
    ] as const) {
      const t = performance.now();
      fn();
      times[k].push(performance.now() - t);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const msNew = median(times.n);
  const msOld = median(times.o);
  log(
    `POSLog read + batch, ${posTx} transactions × 2 lines: with states ${(lines / (msNew / 1000)).toFixed(0)} lines/s, before ${(lines / (msOld / 1000)).toFixed(0)} lines/s, ratio ${(msOld / msNew).toFixed(2)} (median of 9 alternating rounds)`,
  );

  await devnetDown(cfg, { wipe: true }, () => undefined);
  await devnetUp(cfg, () => undefined);
  const pg = createPostgres({ cfg: { ...cfg, runDir: path.join(cfg.root, 'network', 'run', `gateway-pg-${base}`) }, database: 'gateway_bench' });
  const keep = process.argv.includes('--keep');
  // Whatever fails from here on, the devnet and PostgreSQL started above are stopped (unless --keep).
  const stopAll = async () => {
    if (keep) {
      log(`--keep: devnet ${base} and its PostgreSQL keep running (stop with: FABRIC_PORT_BASE=${base} npm run network -- down)`);
      return;
    }
    await pg.stop();
    await devnetDown(cfg, { wipe: true }, () => undefined);
  };
  const gw = await pg
    .start()
    .then(() =>
      start(
        loadGatewayConfig({
          ...devnetLedgerEnv(readDevnetInfo(cfg.runDir), 'RetailerMSP'),
          GATEWAY_PORT: '0',
          DATABASE_URL: pg.connectionString,
          DEV_ISSUER_KEY_FILE: path.join(dir, 'issuer.json'),
          RATE_LIMIT_RPS: '100000',
          RATE_LIMIT_BURST: '100000',
          LOG_LEVEL: 'warn',
          ADAPTER_MAPPINGS_FILE: path.join(dir, 'mappings.json'),
        }),
      ),
    )
    .catch(async (err: unknown) => {
      await stopAll();
      throw err;
    });
  try {
    const token = await gw.devIssuer!.mint({ sub: 'bench', roles: ['retailer-ops', 'sap', 'pos'] });
    const call = async (p: string, body: string | object, type = 'application/json') => {
      const res = await fetch(`${gw.url}${p}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': type },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const ok = (r: { status: number; body: unknown }, what: string) => {
      if (r.status !== 201 && r.status !== 409) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    };
    ok(await call('/products', { gtin, description: 'bench beans', unit: 'KGM' }), 'product');
    for (const [g, type] of [
      [gln.a, 'dc'],
      [gln.b, 'dc'],
      [gln.store, 'store'],
    ])
      ok(await call('/locations', { gln: g, type, name: `bench ${g}`, address: { country: 'DE' } }), 'location');
    ok(await call('/lots', { gln: gln.a, gtin, lotCode: 'BENCH-1', quantity: '1000000' }), 'lot');
    ok(await call('/lots', { gln: gln.store, gtin, lotCode: 'BENCH-S', quantity: '1000000' }), 'lot');

    // SAP: one WMMBXY material document with `items` storage-location transfers (311), each its own submission.
    const item = (i: number) =>
      `<E1MBXYI SEGMENT="1"><ZEILE>${i + 1}</ZEILE><MATNR>MAT-B</MATNR><WERKS>1000</WERKS><LGORT>0001</LGORT><CHARG>BENCH-1</CHARG><BWART>311</BWART><ERFMG>1</ERFMG><ERFME>KGM</ERFME><UMWRK>1000</UMWRK><UMLGO>0002</UMLGO></E1MBXYI>`;
    const idoc = `<WMMBID02><IDOC BEGIN="1"><EDI_DC40 SEGMENT="1"><DOCNUM>${Date.now()}</DOCNUM><IDOCTYP>WMMBID02</IDOCTYP><MESTYP>WMMBXY</MESTYP></EDI_DC40><E1MBXYH SEGMENT="1"><MBLNR>B${Date.now()}</MBLNR>${Array.from({ length: items }, (_, i) => item(i)).join('')}</E1MBXYH></IDOC></WMMBID02>`;
    let t = performance.now();
    let r = await call('/sap/idocs', idoc, 'application/xml');
    if (r.status !== 201) throw new Error(`IDoc ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    let s = (performance.now() - t) / 1000;
    log(
      `SAP WMMBXY ${items} items (311) end to end: ${(items / s).toFixed(1)} items/s (${s.toFixed(1)} s, ${String(r.body.committed)} items committed in ${new Set((r.body.transactions as { txId?: string }[]).map((x) => x.txId)).size} ledger transactions)`,
    );
    t = performance.now();
    r = await call('/sap/idocs', idoc, 'application/xml');
    s = (performance.now() - t) / 1000;
    log(`SAP resend of the same document: ${(items / s).toFixed(1)} items/s (${String(r.body.alreadyCommitted)} already committed, nothing submitted)`);

    // POSLog end to end: one POST per document, one RecordSales per store.
    const docs = 4;
    const perDoc = Math.max(1, Math.floor(posTx / docs));
    t = performance.now();
    for (let d = 0; d < docs; d++) {
      r = await call('/pos/sales', poslog(gtin, 'S1', perDoc, `E${d}-${Date.now()}`), 'application/xml');
      if (r.status !== 201) throw new Error(`POSLog ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    }
    s = (performance.now() - t) / 1000;
    log(
      `POSLog end to end (POST /pos/sales → RecordSales committed → proofs stored): ${((docs * perDoc * 2) / s).toFixed(0)} lines/s (${docs} documents × ${perDoc} transactions × 2 lines)`,
    );
  } finally {
    await gw.stop();
    await stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
