/**
 * The REST resources mapped to the traceability chaincode: master data, lots,
 * custody (shipments), stock movements, orders, recalls, corrections,
 * attestations, and the read side.
 */
import { mayPerform, POLICY, QUERY, TX, type TxName } from '../../../lib/domain/src';
import { httpError } from '../../../lib/platform/src';
import type { LedgerCommand } from '../submission/command';
import type { RouteContext, RouteSpec } from './route-spec';

/** Who may do what: rows of the domain library's access-policy table. */
export const ACCESS = {
  masterData: POLICY['ledger.master-data'],
  lots: POLICY['ledger.lots'],
  custody: POLICY['ledger.custody'],
  stock: POLICY['ledger.stock'],
  orders: POLICY['ledger.orders'],
  recalls: POLICY['ledger.recalls'],
  corrections: POLICY['ledger.corrections'],
  attest: POLICY['ledger.attest'],
  read: POLICY['ledger.read'],
  orderRead: POLICY['ledger.read-orders'],
} as const;

/** The auditor role reads every member's records; anyone else those of its organisation (docs/visibility.md). */
const seesAll = (c: RouteContext) => c.principal?.roles.includes('auditor') ?? false;

/** Keys of order-level records (purchase orders and their payments), read under `ledger.read-orders`. */
const ORDER_KEY = /^(po|payment)~/;

const body = (ctx: RouteContext) => ctx.body as Record<string, unknown>;

function command(fn: TxName, extra?: (ctx: RouteContext) => Partial<LedgerCommand>) {
  return { kind: 'command' as const, build: (ctx: RouteContext): LedgerCommand => ({ fn, body: body(ctx), ...extra?.(ctx) }) };
}

const created = { status: 201, description: 'Committed: transaction id, block number, chaincode result' };

/** Routes for the ledger resources. */
export function resourceRoutes(): RouteSpec[] {
  return [
    {
      method: 'post',
      path: '/locations',
      operationId: 'registerLocation',
      summary: 'Register a location owned by this organisation',
      tag: 'master data',
      roles: ACCESS.masterData,
      bodySchema: 'RegisterLocation',
      action: command(TX.RegisterLocation),
      success: created,
    },
    {
      method: 'post',
      path: '/products',
      operationId: 'registerProduct',
      summary: 'Register a product (GTIN)',
      tag: 'master data',
      roles: ACCESS.masterData,
      bodySchema: 'RegisterProduct',
      action: command(TX.RegisterProduct),
      success: created,
    },
    {
      method: 'post',
      path: '/licences',
      operationId: 'grantLicence',
      summary: "Let another member make lots of this organisation's GTIN (e.g. a private label)",
      tag: 'master data',
      roles: ACCESS.masterData,
      bodySchema: 'GrantLicence',
      action: command(TX.GrantLicence),
      success: created,
    },
    {
      method: 'post',
      path: '/licences/revocations',
      operationId: 'revokeLicence',
      summary: 'Revoke a licence: the licensee makes no new lots of the GTIN',
      tag: 'master data',
      roles: ACCESS.masterData,
      bodySchema: 'RevokeLicence',
      action: command(TX.RevokeLicence),
      success: created,
    },
    {
      method: 'post',
      path: '/lots',
      operationId: 'commissionLot',
      summary: 'Commission a lot with its first stock',
      tag: 'lots',
      roles: ACCESS.lots,
      bodySchema: 'CommissionLot',
      action: command(TX.CommissionLot),
      success: created,
    },
    {
      method: 'post',
      path: '/lots/transformations',
      operationId: 'transformLots',
      summary: 'Transform input lots into output lots (e.g. roasting)',
      tag: 'lots',
      roles: ACCESS.lots,
      bodySchema: 'TransformLots',
      action: command(TX.TransformLots),
      success: created,
    },
    {
      method: 'post',
      path: '/shipments',
      operationId: 'createShipment',
      summary: 'Create a shipment between two locations',
      tag: 'custody',
      roles: ACCESS.custody,
      bodySchema: 'CreateShipment',
      action: command(TX.CreateShipment, (ctx) => ({ endorsement: { kind: 'parties', fromGln: String(body(ctx).fromGln), toGln: String(body(ctx).toGln) } })),
      success: created,
    },
    {
      method: 'post',
      path: '/shipments/:shipmentId/dispatch',
      operationId: 'dispatchShipment',
      summary: 'Dispatch a shipment (stock leaves into transit)',
      tag: 'custody',
      roles: ACCESS.custody,
      paramsSchema: 'shipmentParams',
      bodySchema: 'DispatchShipment',
      action: command(TX.DispatchShipment, (ctx) => ({
        body: { ...(body(ctx) ?? {}), shipmentId: ctx.params.shipmentId },
        endorsement: { kind: 'shipment', shipmentId: ctx.params.shipmentId },
        pathFields: ['shipmentId'],
      })),
      success: created,
    },
    {
      method: 'post',
      path: '/shipments/:shipmentId/receive',
      operationId: 'receiveShipment',
      summary: 'Receive a shipment, recording discrepancies',
      tag: 'custody',
      roles: ACCESS.custody,
      paramsSchema: 'shipmentParams',
      bodySchema: 'ReceiveShipment',
      action: command(TX.ReceiveShipment, (ctx) => ({
        body: { ...(body(ctx) ?? {}), shipmentId: ctx.params.shipmentId },
        endorsement: { kind: 'shipment', shipmentId: ctx.params.shipmentId },
        pathFields: ['shipmentId'],
      })),
      success: created,
    },
    {
      method: 'post',
      path: '/transfers',
      operationId: 'transferStock',
      summary: "Move stock between the organisation's own locations",
      tag: 'stock',
      roles: ACCESS.stock,
      bodySchema: 'TransferStock',
      action: command(TX.TransferStock),
      success: created,
    },
    {
      method: 'post',
      path: '/adjustments',
      operationId: 'adjustStock',
      summary: 'Adjust stock (waste, damage, expiry, count differences)',
      tag: 'stock',
      roles: ACCESS.stock,
      bodySchema: 'AdjustStock',
      action: command(TX.AdjustStock),
      success: created,
    },
    {
      method: 'post',
      path: '/purchase-orders',
      operationId: 'createPurchaseOrder',
      summary: 'Place a purchase order with payment terms',
      tag: 'orders',
      roles: ACCESS.orders,
      bodySchema: 'CreatePurchaseOrder',
      action: command(TX.CreatePurchaseOrder),
      success: created,
    },
    {
      method: 'post',
      path: '/recalls',
      operationId: 'declareRecall',
      summary: 'Declare a recall of lots (and their descendants)',
      tag: 'recalls',
      roles: ACCESS.recalls,
      bodySchema: 'DeclareRecall',
      action: command(TX.DeclareRecall),
      success: created,
    },
    {
      method: 'post',
      path: '/error-declarations',
      operationId: 'declareError',
      summary: 'Declare an earlier event erroneous (EPCIS error declaration)',
      tag: 'recalls',
      roles: ACCESS.corrections,
      bodySchema: 'DeclareError',
      action: command(TX.DeclareError),
      success: created,
    },
    {
      method: 'post',
      path: '/attestations',
      operationId: 'recordAttestation',
      summary: 'Record an audit attestation about a ledger record',
      tag: 'audit',
      roles: ACCESS.attest,
      bodySchema: 'RecordAttestation',
      action: command(TX.RecordAttestation),
      success: created,
    },

    {
      method: 'get',
      path: '/lots/:gtin/:lotCode',
      operationId: 'getLot',
      summary: 'A lot and where its stock is',
      tag: 'reads',
      roles: ACCESS.read,
      paramsSchema: 'lotParams',
      action: {
        kind: 'query',
        build: (c) => ({ fn: QUERY.GetLot, args: [c.params.gtin, c.params.lotCode] }),
        // A lot outside the caller's provenance is as absent as one never commissioned; positions only at its own locations.
        scope: async (r: { lot: unknown }, c, records) => {
          const trace = await records.lotTrace(c.params.gtin, c.params.lotCode, c.org);
          return trace && { lot: r.lot, positions: trace.positions };
        },
      },
    },
    {
      method: 'get',
      path: '/lots/:gtin/:lotCode/trace',
      operationId: 'getLotTrace',
      summary: 'Provenance of a lot: ancestors and descendants',
      tag: 'reads',
      roles: ACCESS.read,
      paramsSchema: 'lotParams',
      action: {
        kind: 'query',
        build: (c) => ({ fn: QUERY.GetLotTrace, args: [c.params.gtin, c.params.lotCode] }),
        // Every ancestor (the provenance of what the caller holds or held); descendants only those of its own provenance, positions at its own locations.
        scope: (_r, c, records) => records.lotTrace(c.params.gtin, c.params.lotCode, c.org),
      },
    },
    {
      method: 'get',
      path: '/shipments/:shipmentId',
      operationId: 'getShipment',
      summary: 'A shipment and what is in transit',
      tag: 'reads',
      roles: ACCESS.read,
      paramsSchema: 'shipmentParams',
      action: {
        kind: 'query',
        build: (c) => ({ fn: QUERY.GetShipment, args: [c.params.shipmentId] }),
        visible: (r: { shipment?: { senderMsp?: string; receiverMsp?: string; carrier?: string } }, c) =>
          seesAll(c) || [r.shipment?.senderMsp, r.shipment?.receiverMsp, r.shipment?.carrier].includes(c.principal?.org),
      },
    },
    {
      method: 'get',
      path: '/locations/:gln/stock',
      operationId: 'getStock',
      summary: 'Stock on hand at a location',
      tag: 'reads',
      roles: ACCESS.read,
      paramsSchema: 'glnParams',
      action: {
        kind: 'query',
        build: (c) => ({ fn: QUERY.GetStock, args: [c.params.gln] }),
        visible: (r: { location?: { ownerMsp?: string } }, c) => seesAll(c) || r.location?.ownerMsp === c.principal?.org,
      },
    },
    {
      method: 'get',
      path: '/purchase-orders/:poId',
      operationId: 'getPurchaseOrder',
      summary: 'A purchase order and its payments',
      tag: 'reads',
      roles: ACCESS.orderRead,
      paramsSchema: 'poParams',
      action: {
        kind: 'query',
        build: (c) => ({ fn: QUERY.GetPurchaseOrder, args: [c.params.poId] }),
        visible: (r: { order?: { buyerMsp?: string; supplierMsp?: string } }, c) =>
          seesAll(c) || [r.order?.buyerMsp, r.order?.supplierMsp].includes(c.principal?.org),
      },
    },
    {
      method: 'get',
      path: '/events/:eventId',
      operationId: 'getEvent',
      summary: "An event record (and any error declaration about it); event ids are scoped per organisation: this one's, or ?mspId=",
      tag: 'reads',
      roles: ACCESS.read,
      paramsSchema: 'eventParams',
      querySchema: 'eventQuery',
      action: {
        kind: 'query',
        build: (c) =>
          c.query.mspId ? { fn: QUERY.GetMemberEvent, args: [String(c.query.mspId), c.params.eventId] } : { fn: QUERY.GetEvent, args: [c.params.eventId] },
        // Another member's event is the auditor's to read; for anyone else it is invisible (404).
        visible: (r: { event?: { mspId?: string } }, c) => seesAll(c) || r.event?.mspId === c.principal?.org,
      },
    },
    {
      method: 'get',
      path: '/history',
      operationId: 'getHistory',
      summary: 'Every committed version of a key, e.g. ?key=shipment~S-1',
      tag: 'reads',
      roles: ACCESS.read,
      querySchema: 'historyQuery',
      action: {
        kind: 'query',
        build: (c) => {
          const key = String(c.query.key);
          // The same rule as the record's own read: an order's history is for those who may read orders.
          // Invisible (404), not forbidden, so the answer does not confirm the order exists.
          if (ORDER_KEY.test(key) && !mayPerform(c.principal?.roles ?? [], 'ledger.read-orders')) throw httpError(404, 'NOT_FOUND', `${key} not found`);
          return { fn: QUERY.GetHistory, args: [key] };
        },
        // Each kind of record by its own rule (record-visibility.ts); another member's is as absent as a key never written.
        scope: async (r: { key: string; history: Array<{ value?: unknown }> }, c, records) =>
          (await records.historyVisible(String(c.query.key), r.history, c.org)) ? r : undefined,
      },
    },
  ];
}
