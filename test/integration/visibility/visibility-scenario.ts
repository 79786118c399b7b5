/**
 * One scenario that exercises every visibility rule, on the visibility devnet:
 *
 *   supplier 2 commissions lot B and ships part of it to supplier 1 (shipment SHB);
 *   supplier 1 commissions lot A and blends A with B into lot AB (a transformation of two suppliers' lots);
 *   the retailer orders AB from supplier 1 (PO1) and lot B2 from supplier 2 (PO2);
 *   supplier 1 ships AB to the retailer with the carrier (SH1), supplier 2 ships B2 (SH2), both received;
 *   supplier 3 commissions C3 and ships part of it to the retailer (SH3, still in transit);
 *   supplier 2 recalls B and everything made from it (RC: B and AB);
 *   the retailer and supplier 1 set reorder points at their own locations.
 */
import { randomBytes } from 'node:crypto';
import { createEndorsementResolver } from '../../../gateway/src/submission/endorsement';
import { transientBuffers, withPrivateTerms } from '../../../gateway/src/submission/private-terms';
import type { LedgerClient } from '../../../lib/fabric/src';
import { eventId, submitJson, uniqueGln, uniqueGtin } from '../chaincode/ledger-fixtures';
import { peersAt } from '../indexer/harness';
import { A, C, R, S1, S2, S3, type Member } from './visibility-devnet';

export interface Scenario {
  gln: { site1: string; site2: string; site3: string; dc: string };
  gtin: { g1: string; g2: string; g3: string; blend: string };
  lot: { A: string; B: string; B2: string; C3: string; AB: string };
  shipment: { SHB: string; SH1: string; SH2: string; SH3: string };
  po: { PO1: string; PO2: string };
  recallId: string;
  /** Transactions of the scenario by name, with the member that submitted each. */
  tx: Record<string, { txId: string; by: Member }>;
  /** Event ids of the submissions (the gateway's event records), by submitting member. */
  events: Record<Member, string[]>;
  lastBlock: bigint;
}

/**
 * Who endorses a shipment's transactions: both parties (the shipment key's policy) and enough others for the
 * chaincode's MAJORITY of six organisations.
 */
function endorsers(from: string, to: string): string[] {
  return [...new Set([from, to, A, C, S3, S1])].slice(0, 4);
}

/** Runs the scenario; `orgs` holds a ledger client per organisation. */
export async function runScenario(orgs: Record<string, LedgerClient>): Promise<Scenario> {
  const tag = randomBytes(3).toString('hex').toUpperCase();
  const s: Scenario = {
    gln: { site1: uniqueGln(S1), site2: uniqueGln(S2), site3: uniqueGln(S3), dc: uniqueGln(R) },
    gtin: { g1: uniqueGtin(S1), g2: uniqueGtin(S2), g3: uniqueGtin(S3), blend: uniqueGtin(S1) },
    // No lot code is part of another, so a text export can be searched for each.
    lot: { A: `GA-${tag}`, B: `GB-${tag}`, B2: `GD-${tag}`, C3: `GC-${tag}`, AB: `BL-${tag}` },
    shipment: { SHB: `SHB-${tag}`, SH1: `SH1-${tag}`, SH2: `SH2-${tag}`, SH3: `SH3-${tag}` },
    po: { PO1: `PO1-${tag}`, PO2: `PO2-${tag}` },
    recallId: `RC-${tag}`,
    tx: {},
    events: { [R]: [], [S1]: [], [S2]: [], [S3]: [], [C]: [] } as unknown as Record<Member, string[]>,
    lastBlock: 0n,
  };
  const submit = async (name: string, by: Member, fn: string, body: Record<string, unknown>, endorsing?: string[]) => {
    const id = eventId('vis');
    const r = await submitJson(orgs[by], fn, { eventId: id, ...body }, endorsing);
    s.tx[name] = { txId: r.commit.txId, by };
    s.events[by].push(id);
    if (r.commit.blockNumber > s.lastBlock) s.lastBlock = r.commit.blockNumber;
    return r;
  };
  // An order as the buyer's gateway submits it: its terms in transient data, both parties' peers endorsing.
  const order = async (name: string, by: Member, body: Record<string, unknown>) => {
    const cmd = withPrivateTerms({ fn: 'CreatePurchaseOrder', eventId: eventId('vis'), actor: 'buyer', body }, { retentionSeconds: 3600 });
    const commit = await orgs[by].submit({
      contract: 'traceability',
      fn: cmd.fn,
      args: [JSON.stringify({ ...cmd.body, eventId: cmd.eventId, actor: cmd.actor })],
      transient: transientBuffers(cmd),
      endorsingOrgs: await createEndorsementResolver({ ledger: orgs[by] }).resolve(cmd.endorsement),
    });
    s.tx[name] = { txId: commit.txId, by };
    s.events[by].push(cmd.eventId);
    if (commit.blockNumber > s.lastBlock) s.lastBlock = commit.blockNumber;
  };
  // Both parties endorse a shipment: each party's peer must hold what the shipment reads first.
  const settle = () => peersAt(orgs, s.lastBlock);
  const { gln, gtin, lot, shipment, po } = s;

  await Promise.all([
    submit('location site1', S1, 'RegisterLocation', { gln: gln.site1, type: 'roastery', name: 'Roastery 1', address: { country: 'CO' } }),
    submit('location site2', S2, 'RegisterLocation', { gln: gln.site2, type: 'cooperative', name: 'Cooperative 2', address: { country: 'PE' } }),
    submit('location site3', S3, 'RegisterLocation', { gln: gln.site3, type: 'cooperative', name: 'Cooperative 3', address: { country: 'ET' } }),
    submit('location dc', R, 'RegisterLocation', { gln: gln.dc, type: 'dc', name: 'DC', address: { country: 'DE' } }),
  ]);
  await Promise.all([
    submit('product g1', S1, 'RegisterProduct', { gtin: gtin.g1, description: 'Green coffee 1', unit: 'KGM' }),
    submit('product blend', S1, 'RegisterProduct', { gtin: gtin.blend, description: 'Blend', unit: 'KGM' }),
    submit('product g2', S2, 'RegisterProduct', { gtin: gtin.g2, description: 'Green coffee 2', unit: 'KGM' }),
    submit('product g3', S3, 'RegisterProduct', { gtin: gtin.g3, description: 'Green coffee 3', unit: 'KGM' }),
  ]);
  await Promise.all([
    submit('commission A', S1, 'CommissionLot', { gln: gln.site1, gtin: gtin.g1, lotCode: lot.A, quantity: '1000', origin: { country: 'CO' } }),
    submit('commission B', S2, 'CommissionLot', { gln: gln.site2, gtin: gtin.g2, lotCode: lot.B, quantity: '1000', origin: { country: 'PE' } }),
    submit('commission B2', S2, 'CommissionLot', { gln: gln.site2, gtin: gtin.g2, lotCode: lot.B2, quantity: '500', origin: { country: 'PE' } }),
    submit('commission C3', S3, 'CommissionLot', { gln: gln.site3, gtin: gtin.g3, lotCode: lot.C3, quantity: '500', origin: { country: 'ET' } }),
  ]);
  await settle();
  const terms = { chainId: 31337, asset: 'native', decimals: 18, amount: '1', payee: `0x${'ab'.repeat(20)}` };
  await Promise.all([
    order('order PO1', R, { poId: po.PO1, supplierMsp: S1, lines: [{ gtin: gtin.blend, quantity: '900' }], paymentTerms: terms }),
    order('order PO2', R, { poId: po.PO2, supplierMsp: S2, lines: [{ gtin: gtin.g2, quantity: '500' }], paymentTerms: terms }),
  ]);
  await settle();
  const ship = async (name: string, by: Member, to: Member, body: Record<string, unknown>, receive: boolean) => {
    const endorsing = endorsers(by, to);
    await submit(`create ${name}`, by, 'CreateShipment', body, endorsing);
    await submit(`dispatch ${name}`, by, 'DispatchShipment', { shipmentId: body.shipmentId }, endorsing);
    if (receive) await submit(`receive ${name}`, to, 'ReceiveShipment', { shipmentId: body.shipmentId }, endorsing);
  };
  // Supplier 2's two shipments one after the other (one site); supplier 3's beside them.
  await Promise.all([
    (async () => {
      await ship(
        'SHB',
        S2,
        S1,
        { shipmentId: shipment.SHB, fromGln: gln.site2, toGln: gln.site1, lines: [{ gtin: gtin.g2, lotCode: lot.B, quantity: '400' }] },
        true,
      );
      const lines = [{ gtin: gtin.g2, lotCode: lot.B2, quantity: '500' }];
      await ship('SH2', S2, R, { shipmentId: shipment.SH2, fromGln: gln.site2, toGln: gln.dc, poId: po.PO2, lines }, false);
    })(),
    ship('SH3', S3, R, { shipmentId: shipment.SH3, fromGln: gln.site3, toGln: gln.dc, lines: [{ gtin: gtin.g3, lotCode: lot.C3, quantity: '300' }] }, false),
  ]);
  await submit('transform AB', S1, 'TransformLots', {
    gln: gln.site1,
    workOrder: `WO-${lot.AB}`,
    inputs: [
      { gtin: gtin.g1, lotCode: lot.A, quantity: '600' },
      { gtin: gtin.g2, lotCode: lot.B, quantity: '400' },
    ],
    outputs: [{ gtin: gtin.blend, lotCode: lot.AB, quantity: '900' }],
  });
  await settle();
  await ship(
    'SH1',
    S1,
    R,
    {
      shipmentId: shipment.SH1,
      fromGln: gln.site1,
      toGln: gln.dc,
      poId: po.PO1,
      carrier: C,
      lines: [{ gtin: gtin.blend, lotCode: lot.AB, quantity: '900' }],
    },
    true,
  );
  await submit('receive SH2', R, 'ReceiveShipment', { shipmentId: shipment.SH2 }, endorsers(S2, R));
  await settle();
  await submit('recall RC', S2, 'DeclareRecall', {
    recallId: s.recallId,
    reason: 'Mould found in lot B',
    lots: [{ gtin: gtin.g2, lotCode: lot.B }],
    includeDescendants: true,
  });
  await settle();
  return s;
}
