/**
 * Committed blocks of two competing suppliers selling to one retailer, built
 * without Fabric (hash-chained, each transaction with the contract's
 * TraceEvents payload) so the projection and the outbox see what a peer
 * would deliver: each supplier registers a location, commissions a lot,
 * ships it to the retailer, and the retailer orders from both.
 */
import { createHash, randomBytes } from 'node:crypto';
import { blockHeaderHash, type LedgerBlock, type LedgerTransaction } from '../../../lib/fabric/src';
import { TRACE_EVENT_NAME, type TracePayload, type WrittenRecordPayload } from '../../../indexer/src/projection/trace-payload';

export const S1 = 'Supplier1MSP';
export const S2 = 'Supplier2MSP';
export const R = 'RetailerMSP';

const AT = '2026-03-02T10:00:00.000Z';

/** One supplier's identifiers in a run. */
export interface SupplierFacts {
  msp: string;
  gln: string;
  gtin: string;
  lot: string;
  shipment: string;
  po: string;
  /** Transactions this supplier's facts were written by (its own and the retailer's order to it). */
  txIds: string[];
  /** Outbox message ids of its facts (records and movements). */
  messageIds: string[];
}

function digits(n: number): string {
  return Array.from(randomBytes(n), (b) => String(b % 10)).join('');
}

/** A valid endorser transaction carrying `payload` as its TraceEvents event. */
function tx(index: number, creator: string, payload: TracePayload): LedgerTransaction {
  return {
    txId: payload.txId,
    index,
    validationCode: 'VALID',
    type: 'ENDORSER_TRANSACTION',
    creatorMspId: creator,
    endorserMspIds: [creator],
    chaincodeId: 'traceability',
    args: [payload.function],
    event: {
      name: TRACE_EVENT_NAME,
      payload: Buffer.from(JSON.stringify(payload)),
    },
    timestamp: AT,
  };
}

/** Hash-chained blocks holding `txs`, one block per entry, numbered from `first` after `previous`. */
export function chainBlocks(first: bigint, previous: Buffer, txs: LedgerTransaction[][]): LedgerBlock[] {
  const blocks: LedgerBlock[] = [];
  let prev = previous;
  txs.forEach((list, i) => {
    const number = first + BigInt(i);
    const dataHash = createHash('sha256')
      .update(JSON.stringify(list.map((t) => [t.txId, t.event?.payload.toString('base64')])))
      .digest();
    const headerHash = blockHeaderHash(number, prev, dataHash);
    blocks.push({
      number,
      headerHash,
      previousHash: prev,
      dataHash,
      computedDataHash: dataHash,
      transactions: list,
      raw: Buffer.alloc(0),
    });
    prev = headerHash;
  });
  return blocks;
}

let seq = 0;

/** A TraceEvents payload of `fn` by `msp` writing `records`, with one EPCIS event per stock line group. */
function payload(msp: string, fn: string, records: WrittenRecordPayload[], stock: Array<Record<string, string>> = []): TracePayload {
  const eventId = `ev-${randomBytes(6).toString('hex')}-${seq++}`;
  const txId = createHash('sha256').update(eventId).digest('hex');
  const events = stock.length
    ? [
        {
          type: 'ObjectEvent',
          eventID: `urn:coffee-trace:event:${eventId}:0`,
          eventTime: AT,
          bizStep: fn === 'CommissionLot' ? 'commissioning' : 'shipping',
          'ct:ledger': {
            eventId,
            function: fn,
            mspId: msp,
            txId,
            keys: [],
            stock: stock as never,
          },
        },
      ]
    : [];
  return {
    eventId,
    function: fn,
    mspId: msp,
    recordedAt: AT,
    txId,
    events,
    records,
  };
}

/** The transactions of one supplier's trade with the retailer: location, lot, shipment, order. */
export function supplierTrade(msp: string): {
  facts: SupplierFacts;
  txs: LedgerTransaction[][];
} {
  const gln = `761${digits(10)}`;
  const retailerGln = `762${digits(10)}`;
  const gtin = `0${digits(13)}`;
  const lot = `L-${randomBytes(3).toString('hex')}`;
  const shipment = `SH-${randomBytes(4).toString('hex')}`;
  const po = `PO-${randomBytes(4).toString('hex')}`;
  const location = payload(msp, 'RegisterLocation', [
    {
      key: `location~${gln}`,
      value: {
        docType: 'location',
        gln,
        name: `${msp} site`,
        type: 'site',
        ownerMsp: msp,
        sgln: `urn:epc:id:sgln:${gln}.0`,
        address: {},
      },
    },
  ]);
  const lotTx = payload(
    msp,
    'CommissionLot',
    [
      {
        key: `lot~${gtin}~${lot}`,
        value: {
          docType: 'lot',
          gtin,
          lotCode: lot,
          epcClass: `urn:epc:class:lgtin:${gtin}.${lot}`,
          status: 'active',
          origin: {},
          certificates: [],
          recallIds: [],
          commissionedAt: AT,
          commissionedBy: msp,
          commissionedAtGln: gln,
        },
      },
    ],
    [
      {
        key: `stock~${gln}~${gtin}~${lot}`,
        position: 'on_hand',
        gln,
        gtin,
        lotCode: lot,
        delta: '10',
        deltaBaseUnits: '10',
        quantity: '10',
        baseUnits: '10',
      },
    ],
  );
  (lotTx.records[0].value as Record<string, unknown>).createdTxId = lotTx.txId;
  const shipTx = payload(
    msp,
    'DispatchShipment',
    [
      {
        key: `shipment~${shipment}`,
        value: {
          docType: 'shipment',
          shipmentId: shipment,
          fromGln: gln,
          toGln: retailerGln,
          senderMsp: msp,
          receiverMsp: R,
          status: 'dispatched',
          owner: msp,
          possessor: msp,
          ownershipTransfer: 'on_receipt',
          createdAt: AT,
          dispatchedAt: AT,
          lines: [],
        },
      },
    ],
    [
      {
        key: `stock~${gln}~${gtin}~${lot}`,
        position: 'on_hand',
        gln,
        gtin,
        lotCode: lot,
        delta: '-4',
        deltaBaseUnits: '-4',
        quantity: '6',
        baseUnits: '6',
      },
      {
        key: `transit~${shipment}~${gtin}~${lot}`,
        position: 'in_transit',
        shipmentId: shipment,
        gtin,
        lotCode: lot,
        delta: '4',
        deltaBaseUnits: '4',
        quantity: '4',
        baseUnits: '4',
      },
    ],
  );
  const poTx = payload(R, 'CreatePurchaseOrder', [
    {
      key: `po~${po}`,
      value: {
        docType: 'po',
        poId: po,
        buyerMsp: R,
        supplierMsp: msp,
        status: 'open',
        lines: [],
        createdAt: AT,
        termsHash: 'ab'.repeat(32),
      },
    },
  ]);
  const all = [location, lotTx, shipTx, poTx];
  const messageIds = all.flatMap((p) => [
    ...p.records.map((r) => `${p.mspId}/${p.eventId}/${r.key}`),
    ...p.events.flatMap((e) => (e['ct:ledger']?.stock ?? []).map((_l, j) => `${e.eventID}#${j}`)),
  ]);
  return {
    facts: {
      msp,
      gln,
      gtin,
      lot,
      shipment,
      po,
      txIds: all.map((p) => p.txId),
      messageIds,
    },
    txs: [[tx(0, msp, location)], [tx(0, msp, lotTx)], [tx(0, msp, shipTx)], [tx(0, R, poTx)]],
  };
}
