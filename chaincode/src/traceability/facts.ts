/**
 * Small helpers shared by the transaction handlers to describe facts:
 * lot quantities with their unit, and parties named the EPCIS way.
 */
import { requireProduct } from './access';
import type { QuantityElement, SourceDest } from './epcis';
import { lotClassUri, mspPartyUri, pglnUri, productClassUri } from './gs1';
import { LOT_UNKNOWN } from './stock';
import { quantityNumber } from './quantity';
import type { TxEnv } from './tx-env';
import type { LocationRecord } from './types';

/** A quantityList element for `units` of a lot, in the product's unit of measure. */
export async function lotQuantity(env: TxEnv, gtin: string, lotCode: string, units: bigint): Promise<QuantityElement> {
  const product = await requireProduct(env, gtin, 'gtin');
  // Units whose lot is unknown are named by their product class, not by a lot that does not exist.
  return {
    epcClass: lotCode === LOT_UNKNOWN ? productClassUri(gtin) : lotClassUri(gtin, lotCode),
    quantity: quantityNumber(units < 0n ? -units : units),
    uom: product.unit,
  };
}

/** The party owning a location: its party GLN when known, else its MSP. */
export function ownerParty(loc: LocationRecord): string {
  return loc.partyGln ? pglnUri(loc.partyGln, loc.companyPrefixLength) : mspPartyUri(loc.ownerMsp);
}

/** Parties by MSP, for shipments whose owner or possessor is an organisation, not a place. */
export function mspParty(mspId: string): string {
  return mspPartyUri(mspId);
}

/** Source (or destination) entries for a location and its owner. */
export function partiesAt(loc: LocationRecord, opts: { owner?: string; possessor?: string } = {}): SourceDest[] {
  return [
    { type: 'owning_party', id: opts.owner ?? ownerParty(loc) },
    { type: 'possessing_party', id: opts.possessor ?? ownerParty(loc) },
    { type: 'location', id: loc.sgln },
  ];
}
