/**
 * What each reader may see of the visibility scenario, written out from the
 * rules of docs/visibility.md (not computed by the code under test): the
 * matrix compares every answer with these sets.
 */
import { AUDITOR, C, R, S1, S2, S3, type Member, type Reader } from './visibility-devnet';
import type { Scenario } from './visibility-scenario';

export type LotName = keyof Scenario['lot'];
export type SiteName = keyof Scenario['gln'];
export type ShipmentName = keyof Scenario['shipment'];

/** True when `reader` may see a record granted to `members` (the auditor role sees all). */
export const sees = (reader: Reader, members: readonly Member[]) => reader === AUDITOR || (members as readonly string[]).includes(reader);

export const OWNER: Record<SiteName, Member> = { site1: S1, site2: S2, site3: S3, dc: R };

/** A lot's provenance (commissioned or ever held, itself or a lot made from it): the query API's and the gateway's. */
export const LOT_GRANT: Record<LotName, Member[]> = {
  A: [S1, R], // supplier 1 made it; the retailer holds the blend made from it
  B: [S2, S1, R], // supplier 2 made it, supplier 1 held it, the retailer holds the blend
  B2: [S2, R], // supplier 2's sale to the retailer: never supplier 1's to see
  C3: [S3], // still in transit to the retailer, who has not held it yet
  AB: [S1, R], // the blend: never supplier 2's (its supplier's customer)
};

/** Lots made from each lot. */
export const DESCENDANTS: Record<LotName, LotName[]> = { A: ['AB'], B: ['AB'], B2: [], C3: [], AB: [] };
export const ANCESTORS: Record<LotName, LotName[]> = { A: [], B: [], B2: [], C3: [], AB: ['A', 'B'] };

/** Stock on hand at the end of the scenario. */
export const ON_HAND: Array<{ lot: LotName; site: SiteName }> = [
  { lot: 'A', site: 'site1' },
  { lot: 'B', site: 'site2' },
  { lot: 'C3', site: 'site3' },
  { lot: 'AB', site: 'dc' },
  { lot: 'B2', site: 'dc' },
];

export const SHIPMENT_PARTIES: Record<ShipmentName, Member[]> = { SHB: [S2, S1], SH1: [S1, R, C], SH2: [S2, R], SH3: [S3, R] };
export const SHIPMENT_LOTS: Record<ShipmentName, LotName[]> = { SHB: ['B'], SH1: ['AB'], SH2: ['B2'], SH3: ['C3'] };
export const PO_PARTIES: Record<keyof Scenario['po'], Member[]> = { PO1: [R, S1], PO2: [R, S2] };
/** The recall of B: its declarer and every member that may see B or the blend. */
export const RECALL_GRANT: Member[] = [S2, S1, R];
export const RECALL_LOTS: LotName[] = ['B', 'AB'];

/** Transactions whose readers are exactly these members (and the auditor). */
export const TX_GRANT: Record<string, Member[]> = {
  'create SH2': [S2, R],
  'create SH1': [S1, R, C],
  'commission C3': [S3],
  'location site2': [S2],
  'recall RC': [S2, S1, R],
};

/** Lot codes in each reader's FSMA 204 export (events it recorded or that happened at its locations). */
export const FSMA_LOTS: Record<Member, LotName[]> = {
  [S1]: ['A', 'B', 'AB'],
  [S2]: ['B', 'B2'],
  [S3]: ['C3'],
  [R]: ['AB', 'B2'],
  [C]: [],
} as Record<Member, LotName[]>;

/** Reorder points the scenario sets (far above the stock, so both are low). */
export const REORDER: Array<{ site: SiteName; product: keyof Scenario['gtin']; by: Member }> = [
  { site: 'dc', product: 'blend', by: R },
  { site: 'site1', product: 'g1', by: S1 },
];

export const LOT_PRODUCT: Record<LotName, keyof Scenario['gtin']> = { A: 'g1', B: 'g2', B2: 'g2', C3: 'g3', AB: 'blend' };
export const LOTS: LotName[] = ['A', 'B', 'B2', 'C3', 'AB'];
export const SHIPMENTS: ShipmentName[] = ['SHB', 'SH1', 'SH2', 'SH3'];
