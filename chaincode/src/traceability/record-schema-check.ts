/**
 * The records this contract writes and reports in `TraceEvents` are published
 * to downstream services with the schemas of lib/domain (eventSchemas). This
 * compile-time check keeps each declared record type and its schema the same:
 * a field added, removed or retyped here fails the build, naming the fields,
 * until the schema follows (and the indexer's compatibility gate judges the
 * change for consumers). Type-only: nothing of it runs.
 */
import type { eventSchemas, jsonSchema } from '../../../lib/domain/src';
import type { LocationRecord, LotRecord, PaymentRecord, ProductRecord, PurchaseOrderRecord, ShipmentReceiptRecord, ShipmentRecord } from './types';

type Agrees<S, T> = jsonSchema.Same<jsonSchema.FromSchema<S>, T>;
type Assert<T extends true> = jsonSchema.Assert<T>;

export type RecordSchemasAgree = [
  Assert<Agrees<typeof eventSchemas.locationRecord, LocationRecord>>,
  Assert<Agrees<typeof eventSchemas.productRecord, ProductRecord>>,
  Assert<Agrees<typeof eventSchemas.lotRecord, LotRecord>>,
  Assert<Agrees<typeof eventSchemas.shipmentRecord, ShipmentRecord>>,
  Assert<Agrees<typeof eventSchemas.receiptRecord, ShipmentReceiptRecord>>,
  Assert<Agrees<typeof eventSchemas.purchaseOrderRecord, PurchaseOrderRecord>>,
  Assert<Agrees<typeof eventSchemas.paymentRecord, PaymentRecord>>,
];
