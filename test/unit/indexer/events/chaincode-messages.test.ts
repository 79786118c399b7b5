import { expect } from 'chai';
import { merkleRootOf, storeBatchLeaf } from '../../../../chaincode/src/traceability/merkle-root';
import { EVENT_CONTRACT, RETAINED_ONLY_TYPES } from '../../../../indexer/src/events/event-messages';
import { createMessageChecker } from '../../../../indexer/src/events/message-checker';
import { addOutboxMessages } from '../../../../indexer/src/projection/outbox-messages';
import { projectEvents } from '../../../../indexer/src/projection/project-events';
import type { RowBuffer, TableSpec } from '../../../../indexer/src/projection/row-buffer';
import { T } from '../../../../indexer/src/projection/tables';
import { parseTracePayload } from '../../../../indexer/src/projection/trace-payload';
import { toKafkaMessage } from '../../../../indexer/src/sinks/kafka/cloud-events';
import { GLN, GTIN, Harness, RETAILER, SUPPLIER, commission, eid, seedMasterData, type TxOutcome } from '../../chaincode/harness';

/**
 * The fast half of the contract check (the devnet half is
 * test/integration/indexer/event-contract.test.ts): the chaincode on its
 * in-memory stub emits each transaction's TraceEvents payload, the indexer's
 * projection turns it into outbox rows, and each row, as the relay would send
 * it, must keep the contract.
 */
describe('event contract: messages built from the chaincode’s own payloads', () => {
  const outbox: unknown[][] = [];
  // Captures rows instead of buffering them for PostgreSQL (unit test only).
  const rows = { add: (spec: TableSpec, row: unknown[]) => spec === T.outbox && outbox.push(row) } as unknown as RowBuffer;
  let block = 0;

  function project(out: TxOutcome, validationCode = 'VALID'): void {
    const payload = parseTracePayload(Buffer.from(JSON.stringify(out.events[0])));
    const facts = { txId: payload.txId, blockNumber: String(++block), txIndex: 0, validationCode, creatorMsp: payload.mspId, time: payload.recordedAt };
    const origin = {
      txId: payload.txId,
      blockNumber: facts.blockNumber,
      txIndex: 0,
      creatorMsp: payload.mspId,
      endorserMsps: [payload.mspId],
      time: payload.recordedAt,
    };
    const projected =
      validationCode === 'VALID' ? { movements: projectEvents(rows, payload.events, payload.eventId, origin).movements, records: payload.records } : undefined;
    addOutboxMessages(rows, 'supplychain', facts, payload, projected);
  }

  before(async () => {
    const h = new Harness();
    const run = async (
      msp: string,
      fn: Parameters<Harness['submit']>[1],
      body: Record<string, unknown>,
      code?: string,
      transient?: Record<string, unknown>,
    ) => {
      const out = await h.submit(msp, fn, body, transient);
      project(out, code);
      return out;
    };
    await seedMasterData(h);
    for (const stub of h.committed) project({ events: stub.events.map((e) => JSON.parse(e.payload.toString('utf8'))) } as TxOutcome);
    project(
      await commission(h, SUPPLIER, GLN.roastery, GTIN.green, 'G-1', '100', {
        origin: { country: 'CO', geolocation: { type: 'Point', coordinates: [-75.5, 6.2] } },
      }),
    );
    await run(SUPPLIER, 'TransformLots', {
      eventId: eid(),
      gln: GLN.roastery,
      inputs: [{ gtin: GTIN.green, lotCode: 'G-1', quantity: '60' }],
      outputs: [{ gtin: GTIN.roasted, lotCode: 'R-1', quantity: '50' }],
    });
    const lines = [{ gtin: GTIN.roasted, lotCode: 'R-1', quantity: '40', expiryDate: '2027-06-30' }];
    await run(SUPPLIER, 'CreateShipment', { eventId: eid(), shipmentId: 'S-1', fromGln: GLN.roastery, toGln: GLN.dc, carrier: RETAILER, lines });
    await run(SUPPLIER, 'DispatchShipment', { eventId: eid(), shipmentId: 'S-1', lines: [{ lineNo: 1, quantity: '30' }] });
    await run(SUPPLIER, 'DispatchShipment', { eventId: eid(), shipmentId: 'S-1' });
    await run(RETAILER, 'ReceiveShipment', { eventId: eid(), shipmentId: 'S-1', lines: [{ lineNo: 1, received: '20', damaged: '1' }], close: false });
    await run(RETAILER, 'ReceiveShipment', { eventId: eid(), shipmentId: 'S-1', lines: [], close: true });
    await run(RETAILER, 'TransferStock', {
      eventId: eid(),
      fromGln: GLN.dc,
      toGln: GLN.store,
      lines: [{ gtin: GTIN.roasted, lotCode: 'R-1', quantity: '10' }],
    });
    const sale = { gln: GLN.store, batchId: 'B-1', merkleRoot: 'ab'.repeat(32), receiptCount: 3, lines: [{ gtin: GTIN.roasted, quantity: '2' }] };
    await run(RETAILER, 'RecordSales', { eventId: eid(), ...sale, lines: [...sale.lines, { gtin: GTIN.roasted, quantity: '1', kind: 'return' }] });
    const store = { ...sale, batchId: 'B-2' };
    const regionRoot = merkleRootOf([storeBatchLeaf(store.gln, store.batchId, store.merkleRoot)]);
    await run(RETAILER, 'RecordRegionSales', { eventId: eid(), region: 'north', rollupId: 'RU-1', regionRoot, stores: [store] });
    const terms = { chainId: 137, asset: 'native', decimals: 18, amount: '2', payee: `0x${'ab'.repeat(20)}` };
    await run(
      RETAILER,
      'CreatePurchaseOrder',
      {
        eventId: eid(),
        poId: 'PO-1',
        supplierMsp: SUPPLIER,
        lines: [{ gtin: GTIN.roasted, quantity: '5' }],
      },
      undefined,
      { terms: { paymentTerms: terms, salt: 'ab'.repeat(16) } },
    );
    // The payee's gateway passes the terms as its peer holds them, and the transfer, as transient data.
    const { terms: copy } = await h.query(SUPPLIER, 'GetPurchaseOrder', 'PO-1');
    const payment = { poId: 'PO-1', chainId: 137, txHash: `0x${'12'.repeat(32)}`, blockNumber: 9 };
    const transient = { terms: copy, payment: { asset: 'native', from: `0x${'cd'.repeat(20)}`, to: terms.payee, amountBaseUnits: '2000000000000000000' } };
    await run(SUPPLIER, 'RecordPayment', { eventId: 'PAY-1', ...payment }, undefined, transient);
    // Recorded by the payee (the order's supplier). The same eventId again: a replay, published as a transaction with replayOf and nothing else.
    await run(SUPPLIER, 'RecordPayment', { eventId: 'PAY-1', ...payment }, undefined, transient);
    await run(RETAILER, 'GrantLicence', { eventId: eid(), gtin: GTIN.milk, licenseeMsp: SUPPLIER });
    await run(SUPPLIER, 'RecordAttestation', { eventId: eid(), attestationId: 'AT-1', subjectKey: `lot~${GTIN.green}~G-1`, result: 'pass', statement: 'ok' });
    await run(SUPPLIER, 'AdjustStock', { eventId: 'ADJ-1', gln: GLN.roastery, reason: 'waste', lines: [{ gtin: GTIN.roasted, lotCode: 'R-1', delta: '-1' }] });
    await run(SUPPLIER, 'DeclareError', { eventId: eid(), targetEventId: 'ADJ-1', reason: 'did_not_occur' });
    await run(SUPPLIER, 'DeclareRecall', { eventId: eid(), recallId: 'RC-1', reason: 'foreign matter', lots: [{ gtin: GTIN.green, lotCode: 'G-1' }] });
    // A transaction the peers invalidated: only its transactions message is published.
    project(await commission(h, SUPPLIER, GLN.roastery, GTIN.green, 'G-2', '1'), 'MVCC_READ_CONFLICT');
  });

  it('every message keeps the contract, and every message type occurs', () => {
    const checker = createMessageChecker({ prefix: 'supplychain' });
    const problems: string[] = [];
    for (const [id, topic, key, type, subject, time, body] of outbox as [string, string, string, string, string, string, string][]) {
      const m = toKafkaMessage(
        { id: '0', event_id: id, topic, message_key: key, ce_type: type, ce_subject: subject, ce_time: new Date(time), payload: body },
        'urn:coffee-trace:test',
      );
      const headers = Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, String(v)]));
      problems.push(...checker.check({ topic, key, headers, value: JSON.parse(body) }));
    }
    expect(problems, problems.join('\n')).to.deep.equal([]);
    const seen = new Set(outbox.map((r) => r[3]));
    // Orders and payments written today carry no amounts: the v1 types with amounts come only from older records.
    const unseen = EVENT_CONTRACT.flatMap((t) => Object.keys(t.messages)).filter((type) => !seen.has(type) && !RETAINED_ONLY_TYPES.includes(type));
    expect(seen.has('supplychain.po.recorded.v1') || seen.has('supplychain.payment.recorded.v1')).to.equal(false);
    // lot.updated needs a lot written again without a recall: the shipment's expiry date does that.
    expect(unseen).to.deep.equal([]);
    expect(outbox.length).to.be.greaterThan(40);
  });
});
