/**
 * Who may record an EPCIS event without stock effect (RecordEvents): only a
 * member that owns or holds what the event names.
 *
 * - Every location it names (`readPoint`, `bizLocation`) is the caller's: a
 *   location registered to it, or an unregistered GLN within its GS1 company
 *   prefixes. A location not named by a GLN (a `geo:` URI) counts for nobody.
 * - An AggregationEvent's parent is the caller's: it packed it (first ADD),
 *   the parent's SSCC or other GS1 key lies within its prefixes (a new SSCC must), or the caller holds the
 *   children (every lot named or already inside is on hand at the caller's
 *   locations, and the member that packed it holds none of them any more,
 *   i.e. the pallet was handed over).
 * - Any other event names at least one thing of the caller's: a location as
 *   above, or an object (a GS1 key such as an SGTIN, SSCC, GRAI or GIAI
 *   within its prefixes, a parent it packed, a lot on hand at its locations).
 */
import type { AggregationRecord, CapturedEvent } from './tx-epcis';
import { fail } from './errors';
import { companyDigitsOfEpc, glnFromLocation, lotFromClass, ssccFromEpc } from './gs1';
import { callerPrefixes, ownsKey } from './identifier-rules';
import { OBJECT_TYPES } from './keys';
import { onHand } from './stock';
import type { TxEnv } from './tx-env';
import type { LocationRecord } from './types';

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
const classes = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.map((q) => (q && typeof q === 'object' ? (q as Record<string, unknown>).epcClass : undefined)).filter((s): s is string => typeof s === 'string')
    : [];

/** The member that packed an aggregation parent (records from before this rule name only their last writer). */
export function packer(rec: AggregationRecord): string {
  return rec.packedBy ?? rec.updatedBy;
}

async function ownsLocation(env: TxEnv, gln: string): Promise<boolean> {
  const loc = await env.ledger.get<LocationRecord>(env.ledger.key(OBJECT_TYPES.location, [gln]));
  return loc ? loc.ownerMsp === env.mspId : ownsKey(env, 'GLN', gln);
}

/** True when `msp` has a lot on hand at one of its own locations. */
async function holdsLot(env: TxEnv, msp: string, lot: { gtin: string; lotCode: string }): Promise<boolean> {
  for (const row of await env.ledger.list(OBJECT_TYPES.lotLocation, [lot.gtin, lot.lotCode])) {
    const gln = row.key.slice(1, -1).split('\u0000')[3];
    const loc = await env.ledger.get<LocationRecord>(env.ledger.key(OBJECT_TYPES.location, [gln]));
    if (loc?.ownerMsp === msp && (await onHand(env, gln, lot.gtin, lot.lotCode)) > 0n) return true;
  }
  return false;
}

async function aggregationOf(env: TxEnv, parentID: string): Promise<AggregationRecord | undefined> {
  return env.ledger.get<AggregationRecord>(env.ledger.key(OBJECT_TYPES.aggregation, [parentID]));
}

/** True when an object's GS1 key (SGTIN, SSCC, GRAI, GIAI, …) lies within the caller's prefixes: no world-state read. */
function ownsByPrefix(env: TxEnv, epc: string): boolean {
  const digits = companyDigitsOfEpc(epc);
  return !!digits && callerPrefixes(env).some((p) => digits.startsWith(p));
}

/** True when the caller holds one object per the ledger: a parent it packed, a lot on hand at its locations. */
async function holdsObject(env: TxEnv, epc: string): Promise<boolean> {
  const agg = await aggregationOf(env, epc);
  if (agg && packer(agg) === env.mspId) return true;
  const lot = lotFromClass(epc);
  return !!lot && (await holdsLot(env, env.mspId, lot));
}

/** True when the caller owns or holds one object: a trade item or SSCC of its prefixes, a parent it packed, a lot on hand. */
async function ownsObject(env: TxEnv, epc: string): Promise<boolean> {
  return ownsByPrefix(env, epc) || (await holdsObject(env, epc));
}

/** Objects whose holding is looked up on the ledger for one event: bounds the reads a large epcList costs. */
const MAX_LOOKUPS = 100;

/** Every location the event names must be the caller's; returns whether it names any. */
async function checkLocations(env: TxEnv, ev: CapturedEvent, at: string): Promise<boolean> {
  let named = false;
  for (const field of ['readPoint', 'bizLocation'] as const) {
    const ref = ev[field];
    if (ref === undefined) continue;
    const id = ref && typeof ref === 'object' ? (ref as Record<string, unknown>).id : undefined;
    const gln = typeof id === 'string' ? glnFromLocation(id) : undefined;
    // A location not named by a GLN (e.g. a geo: URI) belongs to no member: it neither counts for nor against the caller.
    if (!gln) continue;
    if (!(await ownsLocation(env, gln)))
      throw fail.forbidden(
        `${env.mspId} may not record events at location ${gln}: it is neither registered to ${env.mspId} nor within its GS1 company prefixes`,
        `${at}.${field}.id`,
      );
    named = true;
  }
  return named;
}

/** The caller may add to or take from this aggregation parent (see the file comment). */
async function checkAggregation(env: TxEnv, ev: CapturedEvent, parentID: string, at: string): Promise<void> {
  const prior = await aggregationOf(env, parentID);
  if (prior && packer(prior) === env.mspId) return;
  const sscc = ssccFromEpc(parentID);
  // A parent named by any GS1 key (SSCC, SGTIN, GRAI, …) within the caller's prefixes is the caller's.
  if ((sscc && ownsKey(env, 'SSCC', sscc)) || ownsByPrefix(env, parentID)) return;
  // An SSCC is assigned by the member that builds the logistic unit, from its own prefixes.
  if (sscc && !prior)
    throw fail.forbidden(
      `${env.mspId} may not pack SSCC ${sscc}: it lies outside ${env.mspId}'s GS1 company prefixes; a member assigns SSCCs only within its own prefixes`,
      `${at}.parentID`,
    );
  const lots = [...(prior?.childQuantityList ?? []).map((q) => String(q.epcClass)), ...classes(ev.childQuantityList)].map(lotFromClass);
  const instances = [...(prior?.childEPCs ?? []), ...strings(ev.childEPCs)];
  let held = lots.length > 0 && lots.every((l) => l !== undefined);
  for (const lot of lots) if (held && lot) held = (await holdsLot(env, env.mspId, lot)) && !(prior && (await holdsLot(env, packer(prior), lot)));
  for (const epc of instances) if (held) held = await ownsObject(env, epc);
  if (held) return;
  const by = prior ? `packed by ${packer(prior)}` : 'not packed yet';
  throw fail.forbidden(
    `${env.mspId} may not ${String(ev.action ?? 'record').toLowerCase()} aggregation ${parentID} (${by}): ` +
      `its SSCC is outside ${env.mspId}'s GS1 company prefixes and its children are not in ${env.mspId}'s custody`,
    `${at}.parentID`,
  );
}

/** Refuses (FORBIDDEN) an event without stock effect that names nothing the caller owns or holds. */
export async function assertMayRecordEvent(env: TxEnv, ev: CapturedEvent, at: string): Promise<void> {
  const atOwnLocation = await checkLocations(env, ev, at);
  const parentID = typeof ev.parentID === 'string' ? ev.parentID : undefined;
  if (ev.type === 'AggregationEvent' && parentID) return checkAggregation(env, ev, parentID, at);
  if (atOwnLocation) return;
  const objects = [
    ...(parentID ? [parentID] : []),
    ...['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList'].flatMap((k) => strings(ev[k])),
    ...['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'].flatMap((k) => classes(ev[k])),
  ];
  // Prefix checks first (no reads), then the ledger for at most MAX_LOOKUPS objects.
  if (objects.some((epc) => ownsByPrefix(env, epc))) return;
  for (const epc of objects.slice(0, MAX_LOOKUPS)) if (await holdsObject(env, epc)) return;
  throw fail.forbidden(`${env.mspId} may record a ${ev.type} only at its own location or about objects it owns or holds; this one names neither`, at);
}
