/**
 * The `traceability` contract: transaction names and argument shapes. Each
 * submitting transaction takes one JSON string (with a caller-chosen
 * `eventId` and optional `actor`) and returns the canonical JSON result;
 * each query takes plain strings. The rules live in the tx-* modules.
 */
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { CONTRACT, type QueryName, type TxName } from '../../../lib/domain/src';
import { fail } from './errors';
import * as q from './queries';
import { runSubmit } from './submit';
import { commissionLot, registerLocation, registerProduct } from './tx-master-data';
import { commissionLots, registerLocations } from './tx-bulk-master-data';
import { adjustStock, transferStock, transformLots } from './tx-movements';
import { createPurchaseOrder, recordPayment } from './tx-orders';
import { listExpiredTerms, purgeExpiredTerms } from './tx-terms-purge';
import { declareError, declareRecall, recordAttestation } from './tx-recalls';
import { recordSales } from './tx-sales';
import { recordRegionSales } from './tx-region-sales';
import { recordEvents } from './tx-epcis';
import { grantLicence, revokeLicence } from './tx-licences';
import { createShipment, dispatchShipment, receiveShipment } from './tx-shipments';
import { runBatch } from './tx-batch';
import { reverseMovement } from './tx-reversals';

/** Functions SubmitBatch books several submissions of in one transaction. */
const BATCHABLE = {
  TransferStock: transferStock,
  AdjustStock: adjustStock,
  DispatchShipment: dispatchShipment,
  ReceiveShipment: receiveShipment,
  ReverseMovement: reverseMovement,
};

@Info({ title: 'TraceabilityContract', description: 'Coffee supply-chain custody, stock and payments' })
export class TraceabilityContract extends Contract {
  constructor() {
    super(CONTRACT.traceability);
  }

  /** Unknown function names get the same structured error as everything else. */
  override async unknownTransaction(ctx: Context): Promise<void> {
    const { fcn } = ctx.stub.getFunctionAndParameters();
    throw fail.invalid('function', `unknown transaction ${fcn}`);
  }

  // ---- master data -------------------------------------------------------

  @Transaction()
  @Returns('string')
  public async RegisterLocation(ctx: Context, request: string): Promise<string> {
    return runSubmit(ctx, 'RegisterLocation', request, registerLocation);
  }

  @Transaction()
  @Returns('string')
  public async RegisterProduct(ctx: Context, request: string): Promise<string> {
    return runSubmit(ctx, 'RegisterProduct', request, registerProduct);
  }

  @Transaction()
  @Returns('string')
  public async CommissionLot(ctx: Context, request: string): Promise<string> {
    return runSubmit(ctx, 'CommissionLot', request, commissionLot);
  }

  /** Many locations in one transaction (onboarding), each under the rules of RegisterLocation. */
  @Transaction()
  @Returns('string')
  public async RegisterLocations(ctx: Context, request: string): Promise<string> {
    return runSubmit(ctx, 'RegisterLocations', request, registerLocations);
  }

  /** Many lots in one transaction (onboarding), each under the rules of CommissionLot. */
  @Transaction()
  @Returns('string')
  public async CommissionLots(ctx: Context, request: string): Promise<string> {
    return runSubmit(ctx, 'CommissionLots', request, commissionLots);
  }

  /** The owner of a GTIN lets another member make lots of it. */
  @Transaction()
  @Returns('string')
  public async GrantLicence(ctx: Context, request: string): Promise<string> {
    return runSubmit(ctx, 'GrantLicence', request, grantLicence);
  }

  @Transaction()
  @Returns('string')
  public async RevokeLicence(ctx: Context, request: string): Promise<string> {
    return runSubmit(ctx, 'RevokeLicence', request, revokeLicence);
  }

  // ---- movements ---------------------------------------------------------

  @Transaction()
  @Returns('string')
  public async TransformLots(ctx: Context, request: string): Promise<string> {
    return runSubmit(ctx, 'TransformLots', request, transformLots);
  }

  @Transaction()
  @Returns('string')
  public async TransferStock(ctx: Context, request: string): Promise<string> {
    return runSubmit(ctx, 'TransferStock', request, transferStock);
  }

  @Transaction()
  @Returns('string')
  public async AdjustStock(ctx: Context, request: string): Promise<string> {
    return runSubmit(ctx, 'AdjustStock', request, adjustStock);
  }

  /** A movement posted in error taken back: the stock it moved returns (SAP reversal movement types). */
  @Transaction()
  @Returns('string')
  public async ReverseMovement(ctx: Context, request: string): Promise<string> {
    return runSubmit(ctx, 'ReverseMovement', request, reverseMovement);
  }

  /** Several submissions of one movement function in one transaction, each booked as if alone (tx-batch.ts). */
  @Transaction()
  @Returns('string')
  public async SubmitBatch(ctx: Context, request: string): Promise<string> {
    return runBatch(ctx, request, BATCHABLE);
  }

  @Transaction()
  @Returns('string')
  public async RecordSales(ctx: Context, request: string): Promise<string> {
    return runSubmit(ctx, 'RecordSales', request, recordSales);
  }

  /** Many stores' sales batches of one region and interval in one transaction. */
  @Transaction()
  @Returns('string')
  public async RecordRegionSales(ctx: Context, request: string): Promise<string> {
    return runSubmit(ctx, 'RecordRegionSales', request, recordRegionSales);
  }

  // ---- custody -----------------------------------------------------------

  @Transaction()
  @Returns('string')
  public async CreateShipment(ctx: Context, request: string): Promise<string> {
    return runSubmit(ctx, 'CreateShipment', request, createShipment);
  }

  @Transaction()
  @Returns('string')
  public async DispatchShipment(ctx: Context, request: string): Promise<string> {
    return runSubmit(ctx, 'DispatchShipment', request, dispatchShipment);
  }

  @Transaction()
  @Returns('string')
  public async ReceiveShipment(ctx: Context, request: string): Promise<string> {
    return runSubmit(ctx, 'ReceiveShipment', request, receiveShipment);
  }

  // ---- orders and payments -----------------------------------------------

  @Transaction()
  @Returns('string')
  public async CreatePurchaseOrder(ctx: Context, request: string): Promise<string> {
    return runSubmit(ctx, 'CreatePurchaseOrder', request, createPurchaseOrder);
  }

  @Transaction()
  @Returns('string')
  public async RecordPayment(ctx: Context, request: string): Promise<string> {
    return runSubmit(ctx, 'RecordPayment', request, recordPayment);
  }

  /** Purges the private terms of orders past their retention from both parties' peers. */
  @Transaction()
  @Returns('string')
  public async PurgeExpiredTerms(ctx: Context, request: string): Promise<string> {
    return runSubmit(ctx, 'PurgeExpiredTerms', request, purgeExpiredTerms);
  }

  // ---- recalls, corrections, attestations -------------------------------

  @Transaction()
  @Returns('string')
  public async DeclareRecall(ctx: Context, request: string): Promise<string> {
    return runSubmit(ctx, 'DeclareRecall', request, declareRecall);
  }

  @Transaction()
  @Returns('string')
  public async DeclareError(ctx: Context, request: string): Promise<string> {
    return runSubmit(ctx, 'DeclareError', request, declareError);
  }

  @Transaction()
  @Returns('string')
  public async RecordAttestation(ctx: Context, request: string): Promise<string> {
    return runSubmit(ctx, 'RecordAttestation', request, recordAttestation);
  }

  /** EPCIS events without a stock effect, recorded as captured. */
  @Transaction()
  @Returns('string')
  public async RecordEvents(ctx: Context, request: string): Promise<string> {
    return runSubmit(ctx, 'RecordEvents', request, recordEvents);
  }

  // ---- queries -----------------------------------------------------------

  @Transaction(false)
  @Returns('string')
  public async GetLot(ctx: Context, gtin: string, lotCode: string): Promise<string> {
    return q.getLot(ctx, gtin, lotCode);
  }

  @Transaction(false)
  @Returns('string')
  public async GetLotTrace(ctx: Context, gtin: string, lotCode: string): Promise<string> {
    return q.getLotTrace(ctx, gtin, lotCode);
  }

  @Transaction(false)
  @Returns('string')
  public async GetShipment(ctx: Context, shipmentId: string): Promise<string> {
    return q.getShipment(ctx, shipmentId);
  }

  @Transaction(false)
  @Returns('string')
  public async GetStock(ctx: Context, gln: string): Promise<string> {
    return q.getStock(ctx, gln);
  }

  @Transaction(false)
  @Returns('string')
  public async GetPurchaseOrder(ctx: Context, poId: string): Promise<string> {
    return q.getPurchaseOrder(ctx, poId);
  }

  @Transaction(false)
  @Returns('string')
  public async GetEvent(ctx: Context, eventId: string): Promise<string> {
    return q.getEvent(ctx, ctx.clientIdentity.getMSPID(), eventId);
  }

  /** Another member's event: event ids are scoped per submitting organisation. */
  @Transaction(false)
  @Returns('string')
  public async GetMemberEvent(ctx: Context, mspId: string, eventId: string): Promise<string> {
    return q.getEvent(ctx, mspId, eventId);
  }

  /** The event record of the captured EPCIS event with this CBV 2.0 event hash ID. */
  @Transaction(false)
  @Returns('string')
  public async GetEventByHash(ctx: Context, eventHash: string): Promise<string> {
    return q.getEventByHash(ctx, eventHash);
  }

  /** Several submissions looked up at once (a JSON list of event ids). */
  @Transaction(false)
  @Returns('string')
  public async GetEvents(ctx: Context, eventIds: string): Promise<string> {
    return q.getEvents(ctx, ctx.clientIdentity.getMSPID(), eventIds);
  }

  /** The caller's orders whose private terms may be purged now (`limit`, default 100). */
  @Transaction(false)
  @Returns('string')
  public async ListExpiredTerms(ctx: Context, limit: string): Promise<string> {
    return listExpiredTerms(ctx, limit);
  }

  @Transaction(false)
  @Returns('string')
  public async GetHistory(ctx: Context, key: string): Promise<string> {
    return q.getHistory(ctx, key);
  }
}

/** Every transaction and query the domain library names is a method here (and the build fails otherwise). */
type Unimplemented = Exclude<TxName | QueryName, keyof TraceabilityContract>;
export const CONTRACT_COMPLETE: [Unimplemented] extends [never] ? true : Unimplemented = true;
