/**
 * One signed change to one stock position, as reported on events. Every stock
 * change a transaction makes appears as exactly one line on one event.
 */
export interface StockLine {
  /** Readable ledger key of the position (`stock~gln~gtin~lot` or `transit~shipment~gtin~lot`). */
  key: string;
  position: 'on_hand' | 'in_transit';
  /** Location GLN for on-hand stock; absent for in-transit stock. */
  gln?: string;
  /** Shipment for in-transit stock. */
  shipmentId?: string;
  gtin: string;
  lotCode: string;
  /** Signed change, decimal string and base units. */
  delta: string;
  deltaBaseUnits: string;
  /** Balance after the change. */
  quantity: string;
  baseUnits: string;
}
