/** The five EPCIS 2.0 event types, in the standard's order. */
export const EPCIS_EVENT_TYPES = ['ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent'] as const;
export type EpcisEventType = (typeof EPCIS_EVENT_TYPES)[number];
