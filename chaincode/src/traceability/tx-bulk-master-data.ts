/**
 * Onboarding in bulk: RegisterLocations and CommissionLots take many entries
 * in one transaction, each under exactly the rules of RegisterLocation and
 * CommissionLot. A retailer opening its thousands of stores on the ledger
 * needs tens of transactions instead of tens of thousands. Errors name the
 * entry: `locations[12].gln`, `lots[3].quantity`. One bad entry refuses the
 * whole transaction (nothing of it is written), like any transaction.
 */
import type { Input } from './input';
import type { HandlerResult } from './submit';
import { commissionLot, registerLocation } from './tx-master-data';
import type { TxEnv } from './tx-env';

/** Most entries in one bulk transaction: keeps its write set and event payload bounded. */
export const MAX_BULK_ENTRIES = 500;

export async function registerLocations(env: TxEnv, input: Input): Promise<HandlerResult> {
  const glns: string[] = [];
  for (const l of input.list('locations', 1, MAX_BULK_ENTRIES)) {
    const out = (await registerLocation(env, l)) as { location: { gln: string } };
    glns.push(out.location.gln);
  }
  return { registered: glns.length, glns };
}

export async function commissionLots(env: TxEnv, input: Input): Promise<HandlerResult> {
  const lots: Array<{ gln: string; gtin: string; lotCode: string }> = [];
  for (const l of input.list('lots', 1, MAX_BULK_ENTRIES)) {
    const out = (await commissionLot(env, l)) as { lot: { gtin: string; lotCode: string; commissionedAtGln: string } };
    lots.push({ gln: out.lot.commissionedAtGln, gtin: out.lot.gtin, lotCode: out.lot.lotCode });
  }
  return { commissioned: lots.length, lots };
}
