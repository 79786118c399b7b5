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
  method: 'get' | 'post' | 'options';
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
  grantLicence: { method: 'post', path: '/licences', body: { gtin: GTIN, licenseeMsp: 'RetailerMSP' } },
  revokeLicence: { method: 'post', path: '/licences/revocations', body: { gtin: GTIN, licenseeMsp: 'RetailerMSP' } },
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
    body: {
      poId: 'PO-1',
      supplierMsp: 'SupplierMSP',
      lines: [{ gtin: GTIN, quantity: '5' }],
      paymentTerms: { chainId: 1, asset: 'native', decimals: 18, amount: '1.5', payee: `0x${'ab'.repeat(20)}` },
    },
  },
  declareRecall: { method: 'post', path: '/recalls', body: { recallId: 'RC-1', reason: 'mould', lots: [{ gtin: GTIN, lotCode: LOT }] } },
  declareError: { method: 'post', path: '/error-declarations', body: { targetEventId: 'ev-1', reason: 'incorrect_data' } },
  recordAttestation: {
    method: 'post',
    path: '/attestations',
    body: { attestationId: 'AT-1', subjectKey: `lot~${GTIN}~${LOT}`, result: 'pass', statement: 'sampled' },
  },
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

/** An MBGMCR03 IDoc (BAPI_GOODSMVT_CREATE): receipt 101 against delivery 80001234, transfer 311 and scrapping 551. */
export const MBGMCR_XML = `<?xml version="1.0" encoding="UTF-8"?>
<MBGMCR03><IDOC BEGIN="1">
  <EDI_DC40 SEGMENT="1"><DOCNUM>0000000000000088</DOCNUM><IDOCTYP>MBGMCR03</IDOCTYP><MESTYP>MBGMCR</MESTYP><SNDPRN>S4HCLNT100</SNDPRN><RCVPRN>LEDGER</RCVPRN></EDI_DC40>
  <E1MBGMCR SEGMENT="1">
    <E1BP2017_GM_HEAD_01 SEGMENT="1"><PSTNG_DATE>20240502</PSTNG_DATE><DOC_DATE>20240502</DOC_DATE><REF_DOC_NO>80001234</REF_DOC_NO></E1BP2017_GM_HEAD_01>
    <E1BP2017_GM_CODE SEGMENT="1"><GM_CODE>01</GM_CODE></E1BP2017_GM_CODE>
    <E1BP2017_GM_ITEM_CREATE SEGMENT="1"><MATERIAL>000000000000004711</MATERIAL><PLANT>1000</PLANT><STGE_LOC>0001</STGE_LOC><BATCH>RB-0501</BATCH><MOVE_TYPE>101</MOVE_TYPE><ENTRY_QNT>4.000</ENTRY_QNT><ENTRY_UOM>KGM</ENTRY_UOM><PO_NUMBER>4500000017</PO_NUMBER></E1BP2017_GM_ITEM_CREATE>
    <E1BP2017_GM_ITEM_CREATE SEGMENT="1"><MATERIAL>4711</MATERIAL><PLANT>1000</PLANT><STGE_LOC>0001</STGE_LOC><BATCH>RB-0501</BATCH><MOVE_TYPE>311</MOVE_TYPE><ENTRY_QNT>4</ENTRY_QNT><ENTRY_UOM>KGM</ENTRY_UOM><MOVE_PLANT>1000</MOVE_PLANT><MOVE_STLOC>0002</MOVE_STLOC></E1BP2017_GM_ITEM_CREATE>
    <E1BP2017_GM_ITEM_CREATE SEGMENT="1"><MATERIAL>4711</MATERIAL><PLANT>1000</PLANT><STGE_LOC>0001</STGE_LOC><BATCH>RB-0501</BATCH><MOVE_TYPE>551</MOVE_TYPE><ENTRY_QNT>1,5</ENTRY_QNT><ENTRY_UOM>KGM</ENTRY_UOM></E1BP2017_GM_ITEM_CREATE>
  </E1MBGMCR>
</IDOC></MBGMCR03>`;

/** POS catalog mapping for the Square / Toast samples (catalog object id or item guid → GTIN). */
export const POS_CATALOG = { W62UWFY35CWMYGVWK6TWJDNI: GTIN, 'a3f1c2d4-0000-4000-8000-000000000001': GTIN };
export const SQUARE_LOCATION = 'L88917AVBK2S5';
export const TOAST_RESTAURANT = 'e1b2c3d4-0000-4000-8000-00000000000a';

/** Square BatchRetrieveOrders-style body: a completed sale, a cancelled order and an itemized return. */
export const SQUARE_ORDERS = {
  orders: [
    {
      id: 'CAISENgvlJ6jLWAzERDzjyHVybY',
      location_id: SQUARE_LOCATION,
      state: 'COMPLETED',
      created_at: '2024-05-01T08:15:00Z',
      closed_at: '2024-05-01T08:16:00Z',
      line_items: [
        {
          uid: 'li-1',
          name: 'Roasted beans 1kg',
          quantity: '2',
          catalog_object_id: 'W62UWFY35CWMYGVWK6TWJDNI',
          item_type: 'ITEM',
          base_price_money: { amount: 1599, currency: 'EUR' },
        },
        { uid: 'li-2', name: 'Beans by weight', quantity: '0.50000', catalog_object_id: 'W62UWFY35CWMYGVWK6TWJDNI', quantity_unit: { precision: 5 } },
        { uid: 'li-3', name: 'Tip jar', quantity: '1', item_type: 'CUSTOM_AMOUNT' },
      ],
    },
    {
      id: 'CAISEcancelled0001',
      location_id: SQUARE_LOCATION,
      state: 'CANCELED',
      line_items: [{ uid: 'li-1', quantity: '7', catalog_object_id: 'W62UWFY35CWMYGVWK6TWJDNI' }],
    },
    {
      id: 'CAISEreturn0001',
      location_id: SQUARE_LOCATION,
      state: 'COMPLETED',
      returns: [
        {
          uid: 'ret-1',
          source_order_id: 'CAISENgvlJ6jLWAzERDzjyHVybY',
          return_line_items: [
            { uid: 'rli-1', source_line_item_uid: 'li-1', quantity: '1', catalog_object_id: 'W62UWFY35CWMYGVWK6TWJDNI', metadata: { lotCode: LOT } },
          ],
        },
      ],
    },
  ],
};

/** Toast orders body: the restaurant GUID plus ordersBulk-style orders; one check has a voided selection, one is voided. */
export const TOAST_ORDERS = {
  restaurantGuid: TOAST_RESTAURANT,
  orders: [
    {
      guid: 'f0000000-0000-4000-8000-000000000001',
      entityType: 'Order',
      voided: false,
      deleted: false,
      openedDate: '2024-05-01T08:00:00.000+0000',
      closedDate: null,
      checks: [
        {
          guid: 'c0000000-0000-4000-8000-000000000001',
          entityType: 'Check',
          voided: false,
          deleted: false,
          closedDate: '2024-05-01T08:20:00.000+0000',
          selections: [
            {
              guid: 's1',
              entityType: 'MenuItemSelection',
              item: { guid: 'a3f1c2d4-0000-4000-8000-000000000001', entityType: 'MenuItem' },
              quantity: 3,
              voided: false,
            },
            {
              guid: 's2',
              entityType: 'MenuItemSelection',
              item: { guid: 'a3f1c2d4-0000-4000-8000-000000000001', entityType: 'MenuItem' },
              quantity: 5,
              voided: true,
            },
          ],
        },
        {
          guid: 'c0000000-0000-4000-8000-000000000002',
          entityType: 'Check',
          voided: true,
          selections: [{ guid: 's3', item: { guid: 'a3f1c2d4-0000-4000-8000-000000000001' }, quantity: 9 }],
        },
      ],
    },
  ],
};
