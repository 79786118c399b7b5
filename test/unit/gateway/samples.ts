/**
 * Valid requests for every route, used by the authorization matrix and as
 * the starting point of the bad-input corpus.
 */
import { gs1CheckDigit } from '../../../chaincode/src/traceability/gs1';

const withCheck = (body: string) => body + gs1CheckDigit(body);

export const GLN_A = withCheck('400000100000');
export const GLN_B = withCheck('400000100001');
export const GTIN = withCheck('0400000100001');
export const LOT = 'L-2024-01';

export interface SampleRequest {
  method: 'get' | 'post';
  path: string;
  body?: unknown;
  contentType?: string;
}

/** A DESADV (DELVRY07) IDoc: delivery 80001234 from plant 1000 to ship-to DC01. */
export const DESADV_XML = `<?xml version="1.0" encoding="UTF-8"?>
<DELVRY07><IDOC BEGIN="1">
  <EDI_DC40 SEGMENT="1"><DOCNUM>0000000000123456</DOCNUM><IDOCTYP>DELVRY07</IDOCTYP><MESTYP>DESADV</MESTYP><SNDPRN>S4HCLNT100</SNDPRN><RCVPRN>LEDGER</RCVPRN><CREDAT>20240501</CREDAT><CRETIM>101500</CRETIM></EDI_DC40>
  <E1EDL20 SEGMENT="1"><VBELN>80001234</VBELN><VSTEL>1000</VSTEL><BTGEW>500</BTGEW>
    <E1ADRM1 SEGMENT="1"><PARTNER_Q>WE</PARTNER_Q><PARTNER_ID>DC01</PARTNER_ID></E1ADRM1>
    <E1ADRM1 SEGMENT="1"><PARTNER_Q>LF</PARTNER_Q><PARTNER_ID>V100</PARTNER_ID></E1ADRM1>
    <E1EDT13 SEGMENT="1"><QUALF>006</QUALF><NTANF>20240502</NTANF></E1EDT13>
    <E1EDL24 SEGMENT="1"><POSNR>000010</POSNR><MATNR>MAT-ROAST</MATNR><WERKS>1000</WERKS><LGORT>0001</LGORT><CHARG>RB-0501</CHARG><LFIMG>200.000</LFIMG><VRKME>KGM</VRKME><VFDAT>20250501</VFDAT></E1EDL24>
  </E1EDL20>
</IDOC></DELVRY07>`;

const line = { gtin: GTIN, lotCode: LOT, quantity: '10.5' };

/** One valid request per operationId (path parameters filled in). */
export const SAMPLES: Record<string, SampleRequest> = {
  healthz: { method: 'get', path: '/healthz' },
  readyz: { method: 'get', path: '/readyz' },
  metrics: { method: 'get', path: '/metrics' },
  openapi: { method: 'get', path: '/openapi.json' },
  getSubmission: { method: 'get', path: '/submissions/00000000-0000-4000-8000-000000000000' },
  registerLocation: { method: 'post', path: '/locations', body: { gln: GLN_A, name: 'Roastery', type: 'roastery', address: { country: 'DE' } } },
  registerProduct: { method: 'post', path: '/products', body: { gtin: GTIN, description: 'Roasted beans 1kg', unit: 'KGM' } },
  commissionLot: { method: 'post', path: '/lots', body: { gln: GLN_A, gtin: GTIN, lotCode: LOT, quantity: '100', origin: { country: 'CO' } } },
  transformLots: { method: 'post', path: '/lots/transformations', body: { gln: GLN_A, inputs: [line], outputs: [{ ...line, lotCode: 'R-1' }] } },
  createShipment: { method: 'post', path: '/shipments', body: { shipmentId: 'SH-1', fromGln: GLN_A, toGln: GLN_B, lines: [line] } },
  dispatchShipment: { method: 'post', path: '/shipments/SH-1/dispatch', body: {} },
  receiveShipment: { method: 'post', path: '/shipments/SH-1/receive', body: { lines: [{ lineNo: 1, received: '10', damaged: '0.5' }] } },
  transferStock: { method: 'post', path: '/transfers', body: { fromGln: GLN_A, toGln: GLN_B, lines: [line] } },
  adjustStock: { method: 'post', path: '/adjustments', body: { gln: GLN_A, reason: 'waste', lines: [{ gtin: GTIN, lotCode: LOT, delta: '-1' }] } },
  createPurchaseOrder: {
    method: 'post',
    path: '/purchase-orders',
    body: { poId: 'PO-1', supplierMsp: 'SupplierMSP', lines: [{ gtin: GTIN, quantity: '5' }], paymentTerms: { chainId: 1, asset: 'native', decimals: 18, amount: '1.5', payee: `0x${'ab'.repeat(20)}` } },
  },
  declareRecall: { method: 'post', path: '/recalls', body: { recallId: 'RC-1', reason: 'mould', lots: [{ gtin: GTIN, lotCode: LOT }] } },
  declareError: { method: 'post', path: '/error-declarations', body: { targetEventId: 'ev-1', reason: 'incorrect_data' } },
  recordAttestation: { method: 'post', path: '/attestations', body: { attestationId: 'AT-1', subjectKey: `lot~${GTIN}~${LOT}`, result: 'pass', statement: 'sampled' } },
  getLot: { method: 'get', path: `/lots/${GTIN}/${LOT}` },
  getLotTrace: { method: 'get', path: `/lots/${GTIN}/${LOT}/trace` },
  getShipment: { method: 'get', path: '/shipments/SH-1' },
  getStock: { method: 'get', path: `/locations/${GLN_A}/stock` },
  getPurchaseOrder: { method: 'get', path: '/purchase-orders/PO-1' },
  getEvent: { method: 'get', path: '/events/ev-1' },
  getHistory: { method: 'get', path: `/history?key=shipment~SH-1` },
  sapIdoc: { method: 'post', path: '/sap/idocs', body: DESADV_XML, contentType: 'application/xml' },
  posSales: { method: 'post', path: '/pos/sales', body: { receipts: [{ storeId: 'S001', receiptId: 'R-1', lines: [{ gtin: GTIN, quantity: '1' }] }] } },
  posReceiptProof: { method: 'get', path: '/pos/receipts/4000001000050/R-unknown/proof' },
};
