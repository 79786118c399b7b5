/**
 * A focused JSON schema for the EPCIS 2.0 JSON-LD documents the gateway
 * captures. It checks the structure of what the mapper reads (and the types of
 * the common EPCIS fields it does not), so a malformed document is a 400 whose
 * errors name the field, e.g. `epcisBody.eventList[2].bizStep`. Whether an
 * event is supported (type, action, bizStep) is the mapper's 422, not a schema
 * error: the document is valid EPCIS, the gateway just cannot record it.
 * Unknown fields are allowed, as EPCIS allows extensions in any namespace.
 */

/** Schema id the route uses. */
export const EPCIS_DOCUMENT_SCHEMA_ID = 'EpcisCaptureDocument';

/** Most events accepted in one document (each may become up to two transactions). */
export const MAX_EVENTS = 500;

const uri = { type: 'string', minLength: 1, maxLength: 512 };
/** Any absolute URI, as GS1's schema asks of identifiers; which ones a stock-moving event may use is the mapper's 422. */
const URI = '^[A-Za-z][A-Za-z0-9+.-]*:[^\\s]+$';
const location = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: URI, maxLength: 512 } } };

const quantityElement = {
  type: 'object',
  required: ['epcClass'],
  properties: {
    epcClass: { type: 'string', pattern: URI, maxLength: 512 },
    // Bounded so the decimal text never switches to exponent notation.
    quantity: { type: 'number', minimum: 0, maximum: 1e12 },
    uom: { type: 'string', pattern: '^[A-Z0-9]{2,3}$' },
  },
};
const quantityList = { type: 'array', minItems: 1, maxItems: 500, items: quantityElement };
const epcList = { type: 'array', maxItems: 500, items: uri };

const typedList = (valueField: string) => ({
  type: 'array',
  maxItems: 50,
  items: { type: 'object', required: ['type', valueField], properties: { type: uri, [valueField]: uri } },
});

const event = {
  type: 'object',
  required: ['type', 'eventTime', 'eventTimeZoneOffset'],
  properties: {
    type: { type: 'string', minLength: 1, maxLength: 64 },
    eventID: uri,
    eventTime: { type: 'string', format: 'date-time' },
    eventTimeZoneOffset: { type: 'string', pattern: '^[+-]([01][0-9]|2[0-3]):[0-5][0-9]$' },
    recordTime: { type: 'string', format: 'date-time' },
    action: { type: 'string', enum: ['ADD', 'OBSERVE', 'DELETE'] },
    bizStep: {
      type: 'string',
      pattern: '^([a-z_]{1,64}|urn:epcglobal:cbv:bizstep:[a-z_]{1,64}|https://ref\\.gs1\\.org/cbv/BizStep-[a-z_]{1,64}|[A-Za-z][A-Za-z0-9+.-]*:[^\\s]{1,256})$',
    },
    disposition: uri,
    readPoint: location,
    bizLocation: location,
    epcList,
    quantityList,
    inputEPCList: epcList,
    outputEPCList: epcList,
    inputQuantityList: quantityList,
    outputQuantityList: quantityList,
    parentID: uri,
    childEPCs: epcList,
    childQuantityList: quantityList,
    transformationID: uri,
    bizTransactionList: {
      type: 'array',
      maxItems: 50,
      items: { type: 'object', required: ['bizTransaction'], properties: { type: uri, bizTransaction: uri } },
    },
    sourceList: typedList('source'),
    destinationList: typedList('destination'),
    ilmd: { type: 'object' },
    errorDeclaration: { type: 'object' },
  },
};

/** The document: header fields as EPCIS 2.0 requires them, and the event list. */
export const EPCIS_DOCUMENT_SCHEMA = {
  type: 'object',
  required: ['@context', 'type', 'schemaVersion', 'creationDate', 'epcisBody'],
  properties: {
    '@context': { anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1 }, { type: 'object' }] },
    type: { const: 'EPCISDocument' },
    schemaVersion: { const: '2.0' },
    creationDate: { type: 'string', format: 'date-time' },
    epcisHeader: { type: 'object' },
    epcisBody: {
      type: 'object',
      required: ['eventList'],
      properties: { eventList: { type: 'array', minItems: 1, maxItems: MAX_EVENTS, items: event } },
    },
  },
};

/** Path parameters of `GET /epcis/capture/{captureId}`. */
export const CAPTURE_PARAMS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['captureId'],
  properties: { captureId: { type: 'string', format: 'uuid' } },
};
