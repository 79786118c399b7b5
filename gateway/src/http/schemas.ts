/**
 * JSON schemas of the REST bodies and path parameters. ajv validates requests
 * with them and the OpenAPI document publishes them, so both always agree.
 * Shapes follow the traceability chaincode's transaction arguments
 * (chaincode/src/traceability/input.ts and tx-*.ts); the gateway adds
 * `eventId` (optional) and supplies `actor` itself from the JWT subject.
 */
import { LOT_CODE } from '../../../lib/domain/src';

const ID = '^[A-Za-z0-9][A-Za-z0-9._:/@#-]{0,127}$';
const LOT = LOT_CODE.source;

export const s = {
  id: { type: 'string', pattern: ID, maxLength: 128 },
  gln: { type: 'string', format: 'gln', examples: ['4000001000005'] },
  gtin: { type: 'string', format: 'gtin', examples: ['04000001000012'] },
  lotCode: { type: 'string', pattern: LOT },
  quantity: { type: 'string', format: 'quantity', examples: ['12.5'] },
  date: { type: 'string', format: 'iso-date' },
  text: (max: number) => ({ type: 'string', minLength: 1, maxLength: max }),
  msp: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' },
  address: { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$' },
};

/** An object schema: no unknown fields, so typos are named instead of ignored. */
export function obj(properties: Record<string, object>, required: string[] = []): object {
  return { type: 'object', additionalProperties: false, properties, required };
}

const withEvent = (properties: Record<string, object>, required: string[]) =>
  obj({ eventId: { ...s.id, description: 'Caller-chosen id making the submission idempotent on the ledger' }, ...properties }, required);

const lotLine = obj({ gtin: s.gtin, lotCode: s.lotCode, quantity: s.quantity }, ['gtin', 'lotCode', 'quantity']);
const lotLines = (max: number) => ({ type: 'array', minItems: 1, maxItems: max, items: lotLine });
const lotRef = obj({ gtin: s.gtin, lotCode: s.lotCode }, ['gtin', 'lotCode']);

const origin = obj({
  farm: s.text(256),
  cooperative: s.text(256),
  country: { type: 'string', pattern: '^[A-Z]{2}$' },
  region: s.text(256),
  icoMark: { type: 'string', pattern: '^\\d{1,3}-\\d{1,5}-\\d{1,6}$' },
  geolocation: { type: 'object' },
  harvestStart: s.date,
  harvestEnd: s.date,
  dueDiligenceRef: s.text(128),
});

const lotDates = { productionDate: s.date, expiryDate: s.date, bestBeforeDate: s.date };
const certificates = { type: 'array', maxItems: 50, items: s.text(256) };

/** Request body schemas by id. */
export const BODY_SCHEMAS: Record<string, object> = {
  RegisterLocation: withEvent(
    {
      gln: s.gln,
      name: s.text(256),
      type: { type: 'string', enum: ['farm', 'cooperative', 'supplier_site', 'importer_warehouse', 'roastery', 'dc', 'store'] },
      companyPrefixLength: { type: 'integer', minimum: 6, maximum: 12 },
      partyGln: s.gln,
      address: obj(
        {
          line1: s.text(256),
          city: s.text(128),
          region: s.text(128),
          postalCode: s.text(32),
          country: { type: 'string', pattern: '^[A-Z]{2}$' },
          phone: s.text(64),
        },
        ['country'],
      ),
    },
    ['gln', 'name', 'type', 'address'],
  ),
  RegisterProduct: withEvent({ gtin: s.gtin, description: s.text(512), unit: { type: 'string', pattern: '^[A-Z0-9]{1,3}$' }, category: s.text(128) }, [
    'gtin',
    'description',
    'unit',
  ]),
  CommissionLot: withEvent(
    {
      gln: s.gln,
      gtin: s.gtin,
      lotCode: s.lotCode,
      quantity: s.quantity,
      origin,
      ...lotDates,
      certificates,
      parents: { type: 'array', maxItems: 200, items: lotRef },
    },
    ['gln', 'gtin', 'lotCode', 'quantity'],
  ),
  TransformLots: withEvent(
    {
      gln: s.gln,
      workOrder: s.id,
      inputs: lotLines(500),
      outputs: {
        type: 'array',
        minItems: 1,
        maxItems: 100,
        items: obj({ gtin: s.gtin, lotCode: s.lotCode, quantity: s.quantity, ...lotDates, certificates }, ['gtin', 'lotCode', 'quantity']),
      },
    },
    ['gln', 'inputs', 'outputs'],
  ),
  TransferStock: withEvent({ fromGln: s.gln, toGln: s.gln, lines: lotLines(500) }, ['fromGln', 'toGln', 'lines']),
  AdjustStock: withEvent(
    {
      gln: s.gln,
      reason: { type: 'string', enum: ['waste', 'damage', 'expiry', 'theft', 'sample', 'count_difference'] },
      note: s.text(1024),
      lines: {
        type: 'array',
        minItems: 1,
        maxItems: 500,
        items: obj({ gtin: s.gtin, lotCode: s.lotCode, delta: { type: 'string', format: 'signed-quantity' } }, ['gtin', 'lotCode', 'delta']),
      },
    },
    ['gln', 'reason', 'lines'],
  ),
  CreateShipment: withEvent(
    {
      shipmentId: s.id,
      fromGln: s.gln,
      toGln: s.gln,
      lines: {
        type: 'array',
        minItems: 1,
        maxItems: 500,
        items: obj(
          { gtin: s.gtin, lotCode: s.lotCode, quantity: s.quantity, poItem: { type: 'string', maxLength: 32 }, productionDate: s.date, expiryDate: s.date },
          ['gtin', 'lotCode', 'quantity'],
        ),
      },
      poReference: s.id,
      handlingUnits: {
        type: 'array',
        maxItems: 1000,
        items: obj({ sscc: { type: 'string', pattern: '^\\d{18}$' }, contents: { type: 'array', maxItems: 500, items: lotLine } }, ['sscc', 'contents']),
      },
      dates: { type: 'array', maxItems: 20, items: obj({ qualifier: { type: 'string', maxLength: 8 }, planned: s.date, actual: s.date }, ['qualifier']) },
      weights: obj(
        {
          gross: { type: 'string', pattern: '^\\d{1,12}(\\.\\d{1,3})?$' },
          net: { type: 'string', pattern: '^\\d{1,12}(\\.\\d{1,3})?$' },
          unit: { type: 'string', maxLength: 8 },
        },
        ['unit'],
      ),
      carrier: s.text(256),
      ownershipTransfer: { type: 'string', enum: ['on_dispatch', 'on_receipt'] },
      poId: s.id,
      desadv: s.id,
      bol: s.id,
    },
    ['shipmentId', 'fromGln', 'toGln', 'lines'],
  ),
  // A line is named by its number or by product and batch (as a goods movement names it).
  DispatchShipment: withEvent(
    {
      lines: {
        type: 'array',
        minItems: 1,
        maxItems: 500,
        items: obj({ lineNo: { type: 'integer', minimum: 1, maximum: 500 }, gtin: s.gtin, lotCode: s.lotCode, quantity: s.quantity }, ['quantity']),
      },
    },
    [],
  ),
  ReceiveShipment: withEvent(
    {
      gln: s.gln,
      close: { type: 'boolean' },
      lines: {
        type: 'array',
        maxItems: 500,
        items: obj(
          {
            lineNo: { type: 'integer', minimum: 1, maximum: 500 },
            gtin: s.gtin,
            lotCode: s.lotCode,
            received: { type: 'string', format: 'quantity-or-zero' },
            damaged: { type: 'string', format: 'quantity-or-zero' },
          },
          ['received'],
        ),
      },
    },
    [],
  ),
  CreatePurchaseOrder: withEvent(
    {
      poId: s.id,
      supplierMsp: s.msp,
      buyerGln: s.gln,
      supplierGln: s.gln,
      shipToGln: s.gln,
      lines: { type: 'array', minItems: 1, maxItems: 500, items: obj({ gtin: s.gtin, quantity: s.quantity }, ['gtin', 'quantity']) },
      paymentTerms: obj(
        {
          chainId: { type: 'integer', minimum: 1 },
          asset: { anyOf: [{ const: 'native' }, s.address] },
          decimals: { type: 'integer', minimum: 0, maximum: 36 },
          amount: { type: 'string', pattern: '^\\d{1,40}(\\.\\d{1,36})?$' },
          payee: s.address,
          payer: s.address,
          dueDate: s.date,
        },
        ['chainId', 'asset', 'decimals', 'amount', 'payee'],
      ),
    },
    ['poId', 'supplierMsp', 'lines', 'paymentTerms'],
  ),
  DeclareRecall: withEvent(
    { recallId: s.id, reason: s.text(1024), includeDescendants: { type: 'boolean' }, lots: { type: 'array', minItems: 1, maxItems: 100, items: lotRef } },
    ['recallId', 'reason', 'lots'],
  ),
  DeclareError: withEvent(
    {
      targetEventId: s.id,
      reason: { type: 'string', enum: ['did_not_occur', 'incorrect_data'] },
      correctiveEventIds: { type: 'array', maxItems: 100, items: s.id },
    },
    ['targetEventId', 'reason'],
  ),
  RecordAttestation: withEvent(
    {
      attestationId: s.id,
      subjectKey: s.text(512),
      result: { type: 'string', enum: ['pass', 'fail', 'observation'] },
      statement: s.text(4096),
      evidenceHash: { type: 'string', pattern: '^(0x)?[0-9a-fA-F]{64}$' },
    },
    ['attestationId', 'subjectKey', 'result', 'statement'],
  ),
};

/** Path-parameter schemas by id. */
export const PARAM_SCHEMAS: Record<string, object> = {
  lotParams: obj({ gtin: s.gtin, lotCode: s.lotCode }, ['gtin', 'lotCode']),
  shipmentParams: obj({ shipmentId: s.id }, ['shipmentId']),
  glnParams: obj({ gln: s.gln }, ['gln']),
  poParams: obj({ poId: s.id }, ['poId']),
  eventParams: obj({ eventId: s.id }, ['eventId']),
  submissionParams: obj({ submissionId: { type: 'string', format: 'uuid' } }, ['submissionId']),
  historyQuery: { type: 'object', properties: { key: { type: 'string', pattern: '^[a-z]+(~[^~]+)+$', maxLength: 512 } }, required: ['key'] },
};
