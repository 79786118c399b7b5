/**
 * `npm run demo` (with `npm start` running): the coffee chain end to end
 * through the gateways. Green coffee is commissioned at a cooperative, shipped
 * to an importer, roasted, shipped to a DC, transferred to a store and sold
 * through POS; the supplier is paid in the test stablecoin; then a recall is
 * traced downstream and a complaint upstream, with every transaction proven
 * from the auditor's own peer.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type DevIssuerKeyFile, devIssuerKeyFile, mintWithKey } from '../../lib/platform/src';
import { gs1CheckDigit, type Role } from '../../lib/domain/src';
import { gatewayPort, loadDevnetConfig } from './config';
import { runCommand } from './run-command';

const gln = (body12: string) => body12 + gs1CheckDigit(body12);
const gtin = (body13: string) => body13 + gs1CheckDigit(body13);
const step = (msg: string) => console.log(`\n== ${msg}`);

type Org = 'RetailerMSP' | 'SupplierMSP' | 'AuditorMSP';

async function main(): Promise<void> {
  const cfg = loadDevnetConfig();
  const root = cfg.root;
  const token = async (org: Org, roles: Role[], sub: string) => {
    const file = path.join(root, devIssuerKeyFile(cfg.portBase, org));
    if (!fs.existsSync(file)) throw new Error(`no dev issuer key for ${org} (${file}): is npm start running?`);
    return mintWithKey(JSON.parse(fs.readFileSync(file, 'utf8')) as DevIssuerKeyFile, { sub, roles, org, ttlSec: 900 });
  };
  const tokens = {
    supplier: await token('SupplierMSP', ['supplier'], 'ana@cooperative'),
    retailer: await token('RetailerMSP', ['retailer-ops', 'pos'], 'ben@retail-ops'),
    finance: await token('RetailerMSP', ['finance'], 'cho@finance'),
    // The payee's finance claims the payment: its gateway verifies the transfer and records it.
    supplierFinance: await token('SupplierMSP', ['finance'], 'eve@cooperative-finance'),
    auditor: await token('AuditorMSP', ['auditor'], 'dev@audit'),
  };
  const base = (org: Org) => `http://127.0.0.1:${gatewayPort(cfg, org)}`;
  async function call(org: Org, tok: string, method: string, url: string, body?: unknown, okConflict = false): Promise<any> {
    const res = await fetch(`${base(org)}${url}`, {
      method,
      headers: { Authorization: `Bearer ${tok}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : undefined;
    if (res.status === 409 && okConflict) return json;
    if (res.status >= 400) throw new Error(`${method} ${url} on ${org}: ${res.status} ${text}`);
    return json;
  }

  // Fixed master data (a re-run finds it registered); lots are new on every run.
  const L = { coop: gln('761100000001'), importer: gln('761100000002'), roastery: gln('761100000003'), dc: gln('761200000001'), store: gln('761200000002') };
  const P = { green: gtin('0761100000010'), roasted: gtin('0761100000027') };
  const run = randomBytes(3).toString('hex').toUpperCase();
  const greenLot = `GC-${run}`;
  const roastLot = `RB-${run}`;

  step('master data: cooperative, importer, roastery (SupplierMSP); DC and store (RetailerMSP)');
  for (const [g, type, name] of [
    [L.coop, 'cooperative', 'Cooperativa Los Andes'],
    [L.importer, 'importer_warehouse', 'Importer Hamburg'],
    [L.roastery, 'roastery', 'Roastery Bremen'],
  ]) {
    await call('SupplierMSP', tokens.supplier, 'POST', '/locations', { gln: g, type, name, address: { country: type === 'cooperative' ? 'CO' : 'DE' } }, true);
  }
  for (const [g, type, name] of [
    [L.dc, 'dc', 'DC North'],
    [L.store, 'store', 'Store 001'],
  ]) {
    await call('RetailerMSP', tokens.retailer, 'POST', '/locations', { gln: g, type, name, address: { country: 'DE' } }, true);
  }
  await call('SupplierMSP', tokens.supplier, 'POST', '/products', { gtin: P.green, description: 'Green coffee, washed arabica', unit: 'KGM' }, true);
  await call('SupplierMSP', tokens.supplier, 'POST', '/products', { gtin: P.roasted, description: 'Roasted beans 1 kg', unit: 'KGM' }, true);

  step(`commission green lot ${greenLot} (1,000 kg) at the cooperative`);
  await call('SupplierMSP', tokens.supplier, 'POST', '/lots', {
    gln: L.coop,
    gtin: P.green,
    lotCode: greenLot,
    quantity: '1000',
    origin: { cooperative: 'Cooperativa Los Andes', country: 'CO', icoMark: '003-0042-0101', harvestStart: '2025-10-01', harvestEnd: '2026-01-31' },
  });
  step('ship cooperative -> importer (create, dispatch, receive)');
  await call('SupplierMSP', tokens.supplier, 'POST', '/shipments', {
    shipmentId: `SH-A-${run}`,
    fromGln: L.coop,
    toGln: L.importer,
    bol: `BOL-${run}`,
    lines: [{ gtin: P.green, lotCode: greenLot, quantity: '1000' }],
  });
  await call('SupplierMSP', tokens.supplier, 'POST', `/shipments/SH-A-${run}/dispatch`, {});
  await call('SupplierMSP', tokens.supplier, 'POST', `/shipments/SH-A-${run}/receive`, {});
  step(`move 600 kg to the roastery and roast them into ${roastLot} (500 kg)`);
  await call('SupplierMSP', tokens.supplier, 'POST', '/transfers', {
    fromGln: L.importer,
    toGln: L.roastery,
    lines: [{ gtin: P.green, lotCode: greenLot, quantity: '600' }],
  });
  const roast = await call('SupplierMSP', tokens.supplier, 'POST', '/lots/transformations', {
    gln: L.roastery,
    workOrder: `WO-${run}`,
    inputs: [{ gtin: P.green, lotCode: greenLot, quantity: '600' }],
    outputs: [{ gtin: P.roasted, lotCode: roastLot, quantity: '500', bestBeforeDate: '2027-06-30' }],
  });
  // The run's lots and the roasting transaction, for the auditor's and indexer's commands in docs/.
  const demoEnv = path.join(cfg.runDir, 'demo.env');
  fs.writeFileSync(
    demoEnv,
    `GREEN_GTIN=${P.green}\nGREEN_LOT=${greenLot}\nROASTED_GTIN=${P.roasted}\nROASTED_LOT=${roastLot}\nROAST_TX=${String(roast.txId)}\n`,
  );
  console.log(`   lots and the roasting transaction written to ${demoEnv}`);
  step('ship roastery -> DC: the supplier dispatches, the retailer receives (both orgs endorse the custody key)');
  await call('SupplierMSP', tokens.supplier, 'POST', '/shipments', {
    shipmentId: `SH-B-${run}`,
    fromGln: L.roastery,
    toGln: L.dc,
    desadv: `DESADV-${run}`,
    lines: [{ gtin: P.roasted, lotCode: roastLot, quantity: '500' }],
  });
  await call('SupplierMSP', tokens.supplier, 'POST', `/shipments/SH-B-${run}/dispatch`, {});
  const rec = await call('RetailerMSP', tokens.retailer, 'POST', `/shipments/SH-B-${run}/receive`, { lines: [{ lineNo: 1, received: '498', damaged: '2' }] });
  console.log(`   received with discrepancies: ${JSON.stringify(rec.result?.discrepancies ?? [])}`);
  step('transfer 100 kg DC -> store, then sell through POS');
  await call('RetailerMSP', tokens.retailer, 'POST', '/transfers', {
    fromGln: L.dc,
    toGln: L.store,
    lines: [{ gtin: P.roasted, lotCode: roastLot, quantity: '100' }],
  });
  const receipts = Array.from({ length: 5 }, (_, i) => ({
    storeId: L.store,
    receiptId: `R-${run}-${i}`,
    lines: [{ gtin: P.roasted, lotCode: roastLot, quantity: '2' }],
  }));
  const sales = await call('RetailerMSP', tokens.retailer, 'POST', '/pos/sales', { receipts });
  console.log(`   ${receipts.length} receipts batched: ${JSON.stringify(sales).slice(0, 160)}…`);
  const proof = await call('RetailerMSP', tokens.retailer, 'GET', `/pos/receipts/${L.store}/R-${run}-0/proof`);
  console.log(`   receipt R-${run}-0 proven against the Merkle root on the ledger: ${proof.verified ?? proof.valid ?? JSON.stringify(proof).slice(0, 80)}`);

  step('purchase order paid in the test stablecoin');
  const stablecoin = JSON.parse(fs.readFileSync(path.join(cfg.runDir, 'evm-token.json'), 'utf8')) as { address: string };
  const payee = '0x90f79bf6eb2c4f870365e785982e1f101e93b906';
  await call('RetailerMSP', tokens.retailer, 'POST', '/purchase-orders', {
    poId: `PO-${run}`,
    supplierMsp: 'SupplierMSP',
    lines: [{ gtin: P.roasted, quantity: '500' }],
    paymentTerms: { chainId: 31337, asset: stablecoin.address, decimals: 6, amount: '4250', payee },
  });
  const txHash = (
    await runCommand(process.execPath, [path.join(root, 'dist', 'network', 'src', 'dev-pay.js'), '--to', payee, '--amount', '4250'], { step: 'dev-pay' })
  ).trim();
  let claim = await call('SupplierMSP', tokens.supplierFinance, 'POST', `/purchase-orders/PO-${run}/payments`, { chainId: 31337, txHash });
  console.log(`   claimed ${txHash}: ${claim.status} (${claim.reason ?? ''})`);
  for (let i = 0; i < 30 && claim.status === 'pending'; i++) {
    // The local chain mines on demand: two small payments elsewhere add the confirmations.
    await runCommand(
      process.execPath,
      [path.join(root, 'dist', 'network', 'src', 'dev-pay.js'), '--to', '0x15d34aaf54267db7d7c367839aaf71a00a2c6a65', '--amount', '1'],
      { step: 'dev-pay' },
    );
    await new Promise((r) => setTimeout(r, 1000));
    claim = await call('SupplierMSP', tokens.supplierFinance, 'GET', `/payments/${claim.id}`);
  }
  const order = await call('RetailerMSP', tokens.finance, 'GET', `/purchase-orders/PO-${run}`);
  console.log(`   claim ${claim.status}; order on the ledger: ${order.order?.status ?? order.status}`);

  step(`recall of green lot ${greenLot}: downstream scope, proven from the auditor's peer`);
  await call('SupplierMSP', tokens.supplier, 'POST', '/recalls', {
    recallId: `RC-${run}`,
    reason: 'ochratoxin above limit in retained sample',
    lots: [{ gtin: P.green, lotCode: greenLot }],
  });
  const down = await call('AuditorMSP', tokens.auditor, 'GET', `/provenance/lots/${P.green}/${greenLot}`);
  for (const l of down.lots)
    console.log(
      `   ${l.direction.padEnd(10)} ${l.gtin}/${l.lotCode}: ${l.onHand.map((h: any) => `${h.quantity} kg at ${h.gln}`).join(', ') || 'none on hand'}`,
    );
  console.log(`   ${down.proofs.length} transactions proven: ${down.ok ? 'all valid' : 'PROOF FAILED'}`);

  step(`complaint about a bag of ${roastLot}: upstream to the farm`);
  const up = await call('AuditorMSP', tokens.auditor, 'GET', `/provenance/lots/${P.roasted}/${roastLot}`);
  for (const l of up.lots.filter((x: any) => x.direction !== 'downstream'))
    console.log(`   ${l.direction.padEnd(10)} ${l.gtin}/${l.lotCode} origin ${JSON.stringify(l.origin ?? {})}`);
  console.log(`   ${up.proofs.length} transactions proven: ${up.ok ? 'all valid' : 'PROOF FAILED'}`);
  if (!down.ok || !up.ok || claim.status !== 'paid') throw new Error('the scenario did not end as expected');
  console.log('\nDone.');
}

main().catch((err: unknown) => {
  console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
