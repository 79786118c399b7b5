import { expect } from 'chai';
import type { PoolClient } from 'pg';
import { monthOf, projectEvents } from '../../../indexer/src/projection/project-events';
import { addOutboxMessages } from '../../../indexer/src/projection/outbox-messages';
import { RowBuffer } from '../../../indexer/src/projection/row-buffer';
import { T } from '../../../indexer/src/projection/tables';
import { parseTracePayload, type TracePayload } from '../../../indexer/src/projection/trace-payload';
import { byTopic } from '../../../indexer/src/sinks/kafka/cloud-events';
import { decodeCursor, encodeCursor } from '../../../indexer/src/query/inventory-routes';

/** Captures statements instead of sending them (unit test only). */
function captureClient(): { client: PoolClient; calls: { sql: string; params: unknown[] }[] } {
  const calls: { sql: string; params: unknown[] }[] = [];
  const client = {
    query: async (sql: string, params: unknown[]) => {
      calls.push({ sql, params });
      return { rows: [], rowCount: 0 };
    },
  };
  return { client: client as unknown as PoolClient, calls };
}

const line = (gln: string, delta: string, after: string) => ({
  key: `stock~${gln}~09506000134352~L1`,
  position: 'on_hand' as const,
  gln,
  gtin: '09506000134352',
  lotCode: 'L1',
  delta,
  deltaBaseUnits: String(Number(delta) * 1000),
  quantity: after,
  baseUnits: String(Number(after) * 1000),
});

const payload: TracePayload = {
  eventId: 'ev-1',
  function: 'TransferStock',
  mspId: 'RetailerMSP',
  recordedAt: '2026-03-31T23:59:59.000Z',
  txId: 'tx1',
  events: [
    {
      type: 'ObjectEvent',
      eventID: 'urn:coffee-trace:event:ev-1:0',
      eventTime: '2026-03-31T23:59:59.000Z',
      bizStep: 'shipping',
      'ct:ledger': {
        eventId: 'ev-1',
        function: 'TransferStock',
        mspId: 'RetailerMSP',
        txId: 'tx1',
        keys: [],
        stock: [line('4012345000009', '-5.000', '10.000')],
      },
    },
    {
      type: 'ObjectEvent',
      eventID: 'urn:coffee-trace:event:ev-1:1',
      eventTime: '2026-03-31T23:59:59.000Z',
      bizStep: 'receiving',
      'ct:ledger': {
        eventId: 'ev-1',
        function: 'TransferStock',
        mspId: 'RetailerMSP',
        txId: 'tx1',
        keys: [],
        stock: [line('4012345000016', '5.000', '5.000')],
      },
    },
  ],
  records: [{ key: 'shipment~S-1', value: { docType: 'shipment', shipmentId: 'S-1', status: 'dispatched' } }],
};
const origin = { txId: 'tx1', blockNumber: '7', txIndex: 0, creatorMsp: 'RetailerMSP', endorserMsps: ['RetailerMSP', 'AuditorMSP'], time: payload.recordedAt };

describe('indexer projection (pure parts)', () => {
  it('parses TraceEvents payloads and refuses other JSON', () => {
    expect(parseTracePayload(Buffer.from(JSON.stringify(payload))).eventId).to.equal('ev-1');
    expect(() => parseTracePayload(Buffer.from('{"hello":1}'))).to.throw(/lacks/);
    expect(() => parseTracePayload(Buffer.from('nope'))).to.throw();
  });

  it('turns stock lines into movements with stable ids and the month of their event time (UTC)', () => {
    const rows = new RowBuffer();
    const { movements, months } = projectEvents(rows, payload.events, 'ev-1', origin);
    expect(movements.map((m) => m.movementId)).to.deep.equal(['urn:coffee-trace:event:ev-1:0#0', 'urn:coffee-trace:event:ev-1:1#0']);
    expect([...months]).to.deep.equal(['2026-03-01']);
    expect(rows.count(T.stockMovements)).to.equal(2);
    expect(rows.count(T.stockLevels)).to.equal(2);
    expect(monthOf('2026-12-31T23:00:00-02:00')).to.equal('2027-01-01');
  });

  it('collapses upserts by key (last wins) and writes one INSERT per table, the given tables first', async () => {
    const rows = new RowBuffer();
    rows.add(T.stockLevels, ['g', 't', 'l', '1.000', '1000', 'tx1', '1']);
    rows.add(T.stockLevels, ['g', 't', 'l', '2.000', '2000', 'tx2', '2']);
    rows.add(T.suppliers, ['RetailerMSP', 'tx1', '1']);
    const { client, calls } = captureClient();
    await rows.flush(client, [T.suppliers]);
    expect(calls.map((c) => c.sql.split(' ')[2])).to.deep.equal(['suppliers', 'stock_levels']);
    expect(calls[1].params).to.deep.equal(['g', 't', 'l', '2.000', '2000', 'tx2', '2']);
    expect(calls[1].sql).to.match(/ON CONFLICT \(gln, gtin, lot_code\) DO UPDATE SET quantity = EXCLUDED.quantity/);
  });

  it('derives outbox rows with stable CloudEvents ids, aggregate keys and topics', () => {
    const rows = new RowBuffer();
    const { movements } = projectEvents(new RowBuffer(), payload.events, 'ev-1', origin);
    addOutboxMessages(
      rows,
      'sc',
      { txId: 'tx1', blockNumber: '7', txIndex: 0, validationCode: 'VALID', creatorMsp: 'RetailerMSP', time: payload.recordedAt },
      payload,
      { movements, records: payload.records },
    );
    const out: unknown[][] = [];
    // Reads the buffer's rows directly: the outbox table is the only one written here.
    (rows as any).tables.forEach((m: Map<string, unknown[]>) => m.forEach((r) => out.push(r)));
    const ids = out.map((r) => [r[0], r[1], r[2]]);
    expect(ids).to.deep.equal([
      ['tx1', 'sc.transactions', 'tx1'],
      ['urn:coffee-trace:event:ev-1:0#0', 'sc.stock-movements', 'stock~4012345000009~09506000134352~L1'],
      ['urn:coffee-trace:event:ev-1:1#0', 'sc.stock-movements', 'stock~4012345000016~09506000134352~L1'],
      ['RetailerMSP/ev-1/shipment~S-1', 'sc.shipments', 'S-1'],
    ]);
    const body = JSON.parse(out[3][6] as string);
    expect(body).to.include({ schemaVersion: 1, type: 'supplychain.shipment.dispatched.v1', subject: 'S-1' });
    expect(body.ledger).to.include({ txId: 'tx1', blockNumber: '7', eventId: 'ev-1' });
  });

  it('builds CloudEvents binary-mode headers and keeps order per topic', () => {
    const row = (id: string, topic: string) => ({
      id,
      event_id: `e${id}`,
      topic,
      message_key: 'k',
      ce_type: 't',
      ce_subject: 'k',
      ce_time: new Date(0),
      payload: '{}',
    });
    const groups = byTopic([row('1', 'a'), row('2', 'b'), row('3', 'a')], 'urn:src');
    expect(groups.map((g) => [g.topic, g.messages.map((m) => m.headers!.ce_id)])).to.deep.equal([
      ['a', ['e1', 'e3']],
      ['b', ['e2']],
    ]);
    expect(groups[0].messages[0].headers).to.include({
      ce_specversion: '1.0',
      ce_source: 'urn:src',
      ce_type: 't',
      ce_subject: 'k',
      'content-type': 'application/json',
    });
  });

  it('round-trips movement cursors and rejects forged ones', () => {
    const c = encodeCursor({ block_number: '12', tx_index: 3, seq: 4 });
    expect(decodeCursor(c)).to.deep.equal(['12', 3, 4]);
    expect(() => decodeCursor('bad')).to.throw(/cursor/);
    expect(() => decodeCursor(Buffer.from('["1; DROP", 1, 1]').toString('base64url'))).to.throw(/cursor/);
  });
});
