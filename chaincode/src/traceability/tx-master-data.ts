/**
 * Master data: locations, products, and lots (commissioning creates the lot
 * and its first stock at the commissioning location).
 */
import { assertNotAuditor, requireLot, requireOwnLocation } from './access';
import { fail } from './errors';
import { lotQuantity } from './facts';
import { lotClassUri, parseCompanyPrefixLength, parseGln, sglnUri } from './gs1';
import { assertOwnKey, requireLotProduct } from './identifier-rules';
import type { Input } from './input';
import { OBJECT_TYPES, readableKey } from './keys';
import { changeStock, LOT_UNKNOWN } from './stock';
import type { HandlerResult } from './submit';
import type { TxEnv } from './tx-env';
import { LOCATION_TYPES, type Address, type LocationRecord, type LotOrigin, type LotRecord, type LotRef, type ProductRecord } from './types';

const MSP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const UNIT = /^[A-Z0-9]{1,3}$/;
const COUNTRY = /^[A-Z]{2}$/;

export async function registerLocation(env: TxEnv, input: Input): Promise<HandlerResult> {
  assertNotAuditor(env, 'register locations');
  const gln = input.gln('gln');
  assertOwnKey(env, 'GLN', gln, input.at('gln'), 'register location');
  const ownerMsp = input.optStr('ownerMsp', { max: 64, pattern: MSP_ID }) ?? env.mspId;
  if (ownerMsp !== env.mspId) throw fail.forbidden(`${env.mspId} may register only its own locations`, input.at('ownerMsp'));
  const companyPrefixLength = parseCompanyPrefixLength(input.raw('companyPrefixLength'), input.at('companyPrefixLength'));
  const partyGln = input.has('partyGln') ? parseGln(input.raw('partyGln'), input.at('partyGln')) : undefined;
  const addr = input.object('address');
  const address: Address = {
    line1: addr.optStr('line1', { max: 256 }),
    city: addr.optStr('city', { max: 128 }),
    region: addr.optStr('region', { max: 128 }),
    postalCode: addr.optStr('postalCode', { max: 32 }),
    country: addr.str('country', { pattern: COUNTRY, hint: 'must be an ISO 3166-1 alpha-2 code such as "CO"' }),
    phone: addr.optStr('phone', { max: 64 }),
  };
  const record: LocationRecord = {
    docType: 'location',
    gln,
    name: input.str('name', { max: 256 }),
    type: input.oneOf('type', LOCATION_TYPES),
    ownerMsp,
    companyPrefixLength,
    partyGln,
    address,
    sgln: sglnUri(gln, companyPrefixLength),
    createdAt: env.time,
    createdTxId: env.txId,
  };
  const key = env.ledger.key(OBJECT_TYPES.location, [gln]);
  if (await env.ledger.exists(key)) throw fail.duplicate(`location ${gln}`, input.at('gln'));
  await env.ledger.put(key, record);
  return { location: record };
}

export async function registerProduct(env: TxEnv, input: Input): Promise<HandlerResult> {
  assertNotAuditor(env, 'register products');
  const gtin = input.gtin('gtin');
  assertOwnKey(env, 'GTIN', gtin, input.at('gtin'), 'register product');
  const record: ProductRecord = {
    docType: 'product',
    gtin,
    description: input.str('description', { max: 512 }),
    unit: input.str('unit', { pattern: UNIT, hint: 'must be a UN/CEFACT unit code such as KGM, LTR or H87' }),
    category: input.optStr('category', { max: 128 }),
    registeredBy: env.mspId,
    createdAt: env.time,
    createdTxId: env.txId,
  };
  const key = env.ledger.key(OBJECT_TYPES.product, [gtin]);
  if (await env.ledger.exists(key)) throw fail.duplicate(`product ${gtin}`, 'gtin');
  await env.ledger.put(key, record);
  return { product: record };
}

/** Reads `parents` (lots this lot was made from) and checks each exists. */
export async function readParents(env: TxEnv, input: Input, name: string): Promise<LotRef[]> {
  const parents: LotRef[] = [];
  for (const p of input.optList(name, 200)) {
    const ref = { gtin: p.gtin('gtin'), lotCode: p.lotCode('lotCode') };
    await requireLot(env, ref.gtin, ref.lotCode, p.at('lotCode'));
    parents.push(ref);
  }
  return parents;
}

function readOrigin(input: Input): LotOrigin | undefined {
  const o = input.optObj('origin');
  if (!o) return undefined;
  return {
    farm: o.optStr('farm', { max: 256 }),
    cooperative: o.optStr('cooperative', { max: 256 }),
    country: o.optStr('country', { pattern: COUNTRY, hint: 'must be an ISO 3166-1 alpha-2 code' }),
    region: o.optStr('region', { max: 256 }),
    icoMark: o.optStr('icoMark', { pattern: /^\d{1,3}-\d{1,5}-\d{1,6}$/, hint: 'must look like 002-1961-0978' }),
    geolocation: o.optJson('geolocation', 100_000),
    harvestStart: o.optDate('harvestStart'),
    harvestEnd: o.optDate('harvestEnd'),
    dueDiligenceRef: o.optStr('dueDiligenceRef', { max: 128 }),
  };
}

/** Creates a lot record (and lineage index entries); fails DUPLICATE if it exists. */
export async function createLot(
  env: TxEnv,
  fields: Omit<LotRecord, 'docType' | 'epcClass' | 'commissionedAt' | 'commissionedBy' | 'status' | 'recallIds' | 'createdTxId'>,
  field: string,
): Promise<LotRecord> {
  if (fields.lotCode === LOT_UNKNOWN) throw fail.invalid(field, `${LOT_UNKNOWN} is reserved for units whose lot is unknown`);
  const key = env.ledger.key(OBJECT_TYPES.lot, [fields.gtin, fields.lotCode]);
  if (await env.ledger.exists(key)) throw fail.duplicate(`lot ${fields.gtin}/${fields.lotCode}`, field);
  const lot: LotRecord = {
    docType: 'lot',
    ...fields,
    epcClass: lotClassUri(fields.gtin, fields.lotCode),
    commissionedAt: env.time,
    commissionedBy: env.mspId,
    status: 'active',
    recallIds: [],
    createdTxId: env.txId,
  };
  await env.ledger.put(key, lot);
  for (const p of fields.parents) {
    await env.ledger.putIndex(env.ledger.key(OBJECT_TYPES.lotChild, [p.gtin, p.lotCode, fields.gtin, fields.lotCode]));
  }
  return lot;
}

/** Lot master data for EPCIS `ilmd` (CBV master-data names where they exist). */
export function lotIlmd(lot: LotRecord): Record<string, unknown> {
  return {
    'cbvmda:bestBeforeDate': lot.bestBeforeDate,
    'cbvmda:countryOfOrigin': lot.origin?.country,
    'cbvmda:itemExpirationDate': lot.expiryDate,
    'cbvmda:lotNumber': lot.lotCode,
    'ct:certificates': lot.certificates.length > 0 ? lot.certificates : undefined,
    'ct:origin': lot.origin,
    'ct:parents': lot.parents.length > 0 ? lot.parents : undefined,
    'ct:productionDate': lot.productionDate,
  };
}

export async function commissionLot(env: TxEnv, input: Input): Promise<HandlerResult> {
  const gln = input.gln('gln');
  const loc = await requireOwnLocation(env, gln, input.at('gln'), 'commission lots');
  const gtin = input.gtin('gtin');
  await requireLotProduct(env, gtin, input.at('gtin'));
  const lotCode = input.lotCode('lotCode');
  const quantity = input.quantity('quantity');
  const lot = await createLot(
    env,
    {
      gtin,
      lotCode,
      origin: readOrigin(input),
      productionDate: input.optDate('productionDate'),
      expiryDate: input.optDate('expiryDate'),
      bestBeforeDate: input.optDate('bestBeforeDate'),
      certificates: input.strList('certificates', 0, 50),
      parents: await readParents(env, input, 'parents'),
      commissionedAtGln: gln,
    },
    input.at('lotCode'),
  );
  const line = await changeStock(env, { gln, gtin, lotCode }, quantity, input.at('quantity'));
  env.record({
    type: 'ObjectEvent',
    action: 'ADD',
    bizStep: 'commissioning',
    disposition: 'active',
    quantityList: [await lotQuantity(env, gtin, lotCode, quantity)],
    location: loc.sgln,
    ilmd: lotIlmd(lot),
    keys: [readableKey(env.ledger.key(OBJECT_TYPES.lot, [gtin, lotCode]))],
    stock: [line],
  });
  return { lot, stock: line };
}
