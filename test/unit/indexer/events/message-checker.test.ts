import { expect } from 'chai';
import { createMessageChecker, type ConsumedMessage } from '../../../../indexer/src/events/message-checker';
import { toKafkaMessage } from '../../../../indexer/src/sinks/kafka/cloud-events';

const checker = createMessageChecker({ prefix: 'supplychain' });

/** A `supplychain.transactions` message as the relay sends it. */
function message(): ConsumedMessage & { value: any } {
  const value = {
    schemaVersion: 1,
    id: 'tx1',
    type: 'supplychain.transaction.committed.v1',
    subject: 'tx1',
    ledger: {
      txId: 'tx1',
      blockNumber: '7',
      txIndex: 0,
      eventId: 'ev-1',
      function: 'CommissionLot',
      mspId: 'SupplierMSP',
      recordedAt: '2026-03-01T10:00:00.000Z',
    },
    data: { validationCode: 'VALID', replayOf: null },
  };
  const m = toKafkaMessage(
    {
      id: '1',
      event_id: 'tx1',
      topic: 'supplychain.transactions',
      message_key: 'tx1',
      ce_type: value.type,
      ce_subject: 'tx1',
      ce_time: new Date(value.ledger.recordedAt),
      payload: JSON.stringify(value),
    },
    'urn:coffee-trace:test',
  );
  const headers = Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, String(v)]));
  return { topic: 'supplychain.transactions', key: String(m.key), headers, value: JSON.parse(String(m.value)) };
}

describe('event contract: message checker', () => {
  it('accepts a message as the relay sends it', () => {
    expect(checker.check(message())).to.deep.equal([]);
  });

  it('names topic, type and field of a missing, mistyped or undescribed field', () => {
    const missing = message();
    delete missing.value.data.validationCode;
    expect(checker.check(missing)).to.deep.equal([
      "topic supplychain.transactions, type supplychain.transaction.committed.v1: value /data must have required property 'validationCode' [message tx1]",
    ]);
    const mistyped = message();
    mistyped.value.ledger.txIndex = '0';
    expect(checker.check(mistyped)[0]).to.match(/value \/ledger\/txIndex must be integer/);
    const extra = message();
    extra.value.data.note = 'not in the contract';
    expect(checker.check(extra)[0]).to.match(/value \/data must NOT have additional properties \(note\)/);
  });

  it('refuses a wrong header, a key that is not the subject, an unknown type and an unknown topic', () => {
    const header = message();
    header.headers.ce_specversion = '0.3';
    expect(checker.check(header)[0]).to.match(/header \/ce_specversion must be equal to constant/);
    const key = message();
    key.key = 'tx2';
    expect(checker.check(key)).to.deep.equal([
      'topic supplychain.transactions, type supplychain.transaction.committed.v1: key, ce_subject and subject differ [message tx1]',
    ]);
    const type = message();
    type.headers.ce_type = 'supplychain.transaction.pending.v1';
    expect(checker.check(type)).to.deep.equal([
      'topic supplychain.transactions, type supplychain.transaction.pending.v1: not a message type of this topic in the event contract',
    ]);
    expect(checker.check({ ...message(), topic: 'supplychain.invoices' })).to.deep.equal(['topic supplychain.invoices: not in the event contract']);
  });
});
