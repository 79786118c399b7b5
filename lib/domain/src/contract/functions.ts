/**
 * The chaincode's contract as its clients see it: contract names, transaction
 * and query names, and the request shapes the Fabric client takes. The
 * chaincode's classes are checked against these lists at compile time, so a
 * renamed transaction fails the build on both sides.
 */

/** Contract names inside the one chaincode. */
export const CONTRACT = {
  traceability: 'traceability',
  consortium: 'consortium',
  /** Devnet readiness probe; deployed with the devnet chaincode only. */
  probe: 'probe',
} as const;
export type ContractName = (typeof CONTRACT)[keyof typeof CONTRACT];

/** Submitting transactions of the traceability contract: each takes one JSON request with a caller-chosen `eventId`. */
export const TX = {
  RegisterLocation: 'RegisterLocation',
  RegisterProduct: 'RegisterProduct',
  CommissionLot: 'CommissionLot',
  RegisterLocations: 'RegisterLocations',
  CommissionLots: 'CommissionLots',
  TransformLots: 'TransformLots',
  TransferStock: 'TransferStock',
  AdjustStock: 'AdjustStock',
  RecordSales: 'RecordSales',
  RecordRegionSales: 'RecordRegionSales',
  CreateShipment: 'CreateShipment',
  DispatchShipment: 'DispatchShipment',
  ReceiveShipment: 'ReceiveShipment',
  CreatePurchaseOrder: 'CreatePurchaseOrder',
  RecordPayment: 'RecordPayment',
  /** Removes the private terms of orders past their retention from both parties' peers (the hash stays). */
  PurgeExpiredTerms: 'PurgeExpiredTerms',
  DeclareRecall: 'DeclareRecall',
  DeclareError: 'DeclareError',
  RecordAttestation: 'RecordAttestation',
  RecordEvents: 'RecordEvents',
  GrantLicence: 'GrantLicence',
  RevokeLicence: 'RevokeLicence',
  ReverseMovement: 'ReverseMovement',
  SubmitBatch: 'SubmitBatch',
} as const;
export type TxName = (typeof TX)[keyof typeof TX];

/** Read-only queries of the traceability contract: each takes plain string arguments. */
export const QUERY = {
  GetLot: 'GetLot',
  GetLotTrace: 'GetLotTrace',
  GetShipment: 'GetShipment',
  GetStock: 'GetStock',
  GetPurchaseOrder: 'GetPurchaseOrder',
  GetEvent: 'GetEvent',
  GetMemberEvent: 'GetMemberEvent',
  /** The event record of a captured EPCIS event, by its CBV 2.0 event hash ID. */
  GetEventByHash: 'GetEventByHash',
  GetEvents: 'GetEvents',
  GetHistory: 'GetHistory',
  /** The caller's orders whose private terms may be purged now. */
  ListExpiredTerms: 'ListExpiredTerms',
} as const;
export type QueryName = (typeof QUERY)[keyof typeof QUERY];

/** Transactions and queries of the consortium (membership registry) contract. */
export const CONSORTIUM = {
  InitConsortium: 'InitConsortium',
  /** A registry change (`set-member`, `remove-member`, `set-prefixes`), applied once a majority of governing members approve. */
  ProposeChange: 'ProposeChange',
  ApproveProposal: 'ApproveProposal',
  GetMembers: 'GetMembers',
  GetProposal: 'GetProposal',
  ListProposals: 'ListProposals',
} as const;
export type ConsortiumFn = (typeof CONSORTIUM)[keyof typeof CONSORTIUM];

/** The one chaincode event a consortium transaction emits: the seeded registry, or a proposal and what the transaction did to it. */
export const CONSORTIUM_EVENT_NAME = 'ConsortiumChanged';

/** The one chaincode event a traceability transaction emits, listing every fact it created. */
export const TRACE_EVENT_NAME = 'TraceEvents';

/** A request as the fabric library's `submit`/`evaluate` take it (structurally, so this file stays SDK-free). */
export interface ContractRequest {
  contract: ContractName;
  fn: string;
  args: string[];
}

/** A traceability transaction with its JSON request. */
export function txRequest(fn: TxName, body: unknown): ContractRequest {
  return { contract: CONTRACT.traceability, fn, args: [JSON.stringify(body)] };
}

/** A traceability query with its string arguments. */
export function queryRequest(fn: QueryName, ...args: string[]): ContractRequest {
  return { contract: CONTRACT.traceability, fn, args };
}

/** A consortium transaction or query. */
export function consortiumRequest(fn: ConsortiumFn, ...args: string[]): ContractRequest {
  return { contract: CONTRACT.consortium, fn, args };
}

/** True for a name of a traceability transaction. */
export function isTxName(v: unknown): v is TxName {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(TX, v);
}
