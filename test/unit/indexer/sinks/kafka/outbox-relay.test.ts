import { expect } from 'chai';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import pino from 'pino';
import { createOutboxRelay, type OutboxRelay } from '../../../../../indexer/src/sinks/kafka/outbox-relay';

interface Row {
  id: bigint;
  topic: string;
  key: string;
  published: boolean;
  /** Outside the owner's view (what the visibility column of the relay's read says). */
  hidden?: boolean;
}
interface Sent {
  topic: string;
  key: string;
  ceId: string;
}

/**
 * An in-memory outbox (the SQL the relay sends) and an in-memory Kafka with
 * transactions: messages and the position become visible only on commit.
 */
function fakes(opts: { rows: Row[]; kafkaPosition?: bigint; failSends?: number }) {
  const rows = opts.rows;
  const committed: Sent[] = [];
  let position = opts.kafkaPosition ?? -1n;
  let failSends = opts.failSends ?? 0;
  const calls: string[] = [];
  const selects: bigint[] = [];
  let producers = 0;

  const pool = {
    async query(sql: string, params: unknown[] = []) {
      const text = sql.replace(/\s+/g, ' ').trim();
      if (text.startsWith('SELECT instance_id FROM outbox_identity')) return { rowCount: 1, rows: [{ instance_id: 'idx-1' }] };
      if (text.startsWith('SELECT max(id)::text AS last FROM outbox WHERE published_at IS NOT NULL')) {
        const marked = rows.filter((r) => r.published).map((r) => r.id);
        return { rowCount: 1, rows: [{ last: marked.length ? String(marked.reduce((a, b) => (a > b ? a : b))) : null }] };
      }
      if (text.startsWith('UPDATE outbox SET published_at = now() WHERE id <= $1 AND published_at IS NULL')) {
        calls.push(`pg: mark up to ${String(params[0])}`);
        for (const r of rows) if (r.id <= BigInt(params[0] as string)) r.published = true;
        return { rowCount: 0, rows: [] };
      }
      // The plain read, or the owner's view (the batch first, then the rule per row).
      if (
        text.startsWith('SELECT id, event_id, topic') ||
        text.startsWith('WITH batch AS MATERIALIZED (SELECT * FROM outbox WHERE id > $1 ORDER BY id LIMIT $2) SELECT id, event_id, topic')
      ) {
        const after = BigInt(params[0] as string);
        selects.push(after);
        const page = rows
          .filter((r) => r.id > after)
          .sort((a, b) => (a.id < b.id ? -1 : 1))
          .slice(0, params[1] as number);
        return {
          rowCount: page.length,
          rows: page.map((r) => ({
            id: String(r.id),
            event_id: `ev-${r.id}`,
            topic: r.topic,
            message_key: r.key,
            ce_type: 't',
            ce_subject: r.key,
            ce_time: new Date(0),
            payload: '{}',
            // Only a read with the owner's view asks; it binds the owner and the topic prefix.
            ...(text.includes('AS visible') ? { visible: params[2] === 'Supplier2MSP' && params[3] === 'supplychain' && !r.hidden } : {}),
          })),
        };
      }
      if (text.startsWith('UPDATE outbox SET published_at = $3 WHERE id > $1 AND id <= $2')) {
        if (Number.isNaN(Date.parse(params[2] as string))) throw new Error('a mark without the time Kafka acknowledged the rows');
        calls.push(`pg: mark ${String(params[0])}..${String(params[1])}`);
        for (const r of rows) if (r.id > BigInt(params[0] as string) && r.id <= BigInt(params[1] as string)) r.published = true;
        return { rowCount: 0, rows: [] };
      }
      throw new Error(`unexpected SQL: ${text}`);
    },
  };

  const kafka = {
    admin: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      listTopics: async () => [],
      createTopics: async () => true,
      fetchOffsets: async ({ groupId }: { groupId: string }) => {
        calls.push(`kafka: read position of ${groupId}`);
        return [{ topic: 'pos', partitions: [{ partition: 0, offset: position.toString() }] }];
      },
    }),
    producer: (cfg: { transactionalId: string }) => {
      const n = ++producers;
      return {
        connect: async () => {
          calls.push(`producer ${n}: connect as ${cfg.transactionalId}`);
        },
        disconnect: async () => {
          calls.push(`producer ${n}: disconnect`);
        },
        transaction: async () => {
          const pending: Sent[] = [];
          let offset: bigint | undefined;
          return {
            sendBatch: async ({ topicMessages }: { topicMessages: { topic: string; messages: { key: string; headers: { ce_id: string } }[] }[] }) => {
              if (failSends > 0) {
                failSends--;
                throw new Error('broker not available');
              }
              for (const t of topicMessages) for (const m of t.messages) pending.push({ topic: t.topic, key: m.key, ceId: m.headers.ce_id });
            },
            sendOffsets: async ({ topics }: { topics: { partitions: { offset: string }[] }[] }) => {
              offset = BigInt(topics[0].partitions[0].offset);
            },
            commit: async () => {
              committed.push(...pending);
              if (offset !== undefined) position = offset;
              calls.push(`producer ${n}: commit up to ${offset}`);
            },
            abort: async () => {
              calls.push(`producer ${n}: abort`);
            },
          };
        },
      };
    },
  };
  return { pool: pool as unknown as Pool, kafka: kafka as unknown as Kafka, committed, calls, selects, position: () => position };
}

const outbox = (n: number, keyOf: (i: number) => string, from = 1): Row[] =>
  Array.from({ length: n }, (_, i) => ({ id: BigInt(from + i), topic: i % 2 ? 'supplychain.lots' : 'supplychain.shipments', key: keyOf(i), published: false }));

async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('outbox relay', () => {
  let relay: OutboxRelay | undefined;
  afterEach(async () => {
    await relay?.stop();
    relay = undefined;
  });

  function start(
    f: ReturnType<typeof fakes>,
    batchSize = 4,
    extra: { onError?: (e: unknown) => void; view?: { org: string; prefix: string }; onWithheld?: (n: number) => void } = {},
  ) {
    relay = createOutboxRelay({
      pool: f.pool,
      kafka: f.kafka,
      topics: ['supplychain.shipments', 'supplychain.lots'],
      partitions: 3,
      positionTopic: 'pos',
      source: 'test',
      batchSize,
      log: pino({ level: 'silent' }),
      idleMs: 5,
      ...extra,
    });
    relay.start();
    return relay;
  }

  it('publishes every row once, in outbox order within each key, with the position in the same transaction', async () => {
    const rows = outbox(10, (i) => `k${i % 3}`);
    const f = fakes({ rows });
    start(f);
    await until(() => rows.every((r) => r.published));
    expect(f.committed.map((m) => m.ceId).sort()).to.deep.equal(rows.map((r) => `ev-${r.id}`).sort());
    for (const key of ['k0', 'k1', 'k2']) {
      const ids = f.committed.filter((m) => m.key === key).map((m) => Number(m.ceId.slice(3)));
      expect(ids, key).to.deep.equal([...ids].sort((a, b) => a - b));
    }
    // Batches of 4: the committed position is the next id after each batch, and each mark follows its commit.
    const commits = f.calls.filter((c) => c.includes('commit') || c.startsWith('pg: mark'));
    expect(commits).to.deep.equal([
      'producer 1: commit up to 5',
      'pg: mark 0..4',
      'producer 1: commit up to 9',
      'pg: mark 4..8',
      'producer 1: commit up to 11',
      'pg: mark 8..10',
    ]);
    expect(f.position()).to.equal(11n);
  });

  it('fences earlier instances before it reads the position', async () => {
    const f = fakes({ rows: outbox(2, () => 'k') });
    start(f);
    await until(() => f.committed.length === 2);
    const i = (s: string) => f.calls.indexOf(s);
    expect(f.calls[0]).to.equal('producer 1: connect as pos.idx-1');
    expect(i('producer 1: abort')).to.be.greaterThan(-1);
    expect(i('producer 1: abort')).to.be.lessThan(i('kafka: read position of pos.idx-1'));
  });

  it('resumes after the position Kafka holds and marks rows PostgreSQL had not marked yet', async () => {
    // Kafka committed rows 1..6 (next = 7) but the relay stopped before PostgreSQL marked past 3.
    const rows = outbox(8, (i) => `k${i}`);
    for (const r of rows) r.published = r.id <= 3n;
    const f = fakes({ rows, kafkaPosition: 7n });
    start(f);
    await until(() => f.committed.length === 2);
    expect(f.calls).to.include('pg: mark up to 6');
    expect(f.selects[0]).to.equal(6n);
    expect(f.committed.map((m) => m.ceId)).to.deep.equal(['ev-7', 'ev-8']);
  });

  it('resumes after the PostgreSQL marks when they are ahead of Kafka', async () => {
    const rows = outbox(5, (i) => `k${i}`);
    for (const r of rows) r.published = r.id <= 4n;
    const f = fakes({ rows, kafkaPosition: 2n });
    start(f);
    await until(() => f.committed.length === 1);
    expect(f.selects[0]).to.equal(4n);
    expect(f.calls.some((c) => c.startsWith('pg: mark up to'))).to.equal(false);
    expect(f.committed.map((m) => m.ceId)).to.deep.equal(['ev-5']);
  });

  it('after a failed send aborts, reconnects and sends the batch again from its first row', async () => {
    const rows = outbox(6, (i) => `k${i % 2}`);
    const f = fakes({ rows, failSends: 1 });
    const errors: unknown[] = [];
    start(f, 4, { onError: (e) => errors.push(e) });
    await until(() => rows.every((r) => r.published));
    expect(errors.map((e) => (e as Error).message)).to.deep.equal(['broker not available']);
    // Nothing of the failed transaction is visible, nothing was marked before the retry committed.
    expect(f.committed.map((m) => m.ceId).sort()).to.deep.equal(rows.map((r) => `ev-${r.id}`).sort());
    const failedAt = f.calls.indexOf('producer 1: abort', f.calls.indexOf('kafka: read position of pos.idx-1'));
    expect(f.calls.slice(failedAt, failedAt + 3)).to.deep.equal(['producer 1: abort', 'producer 1: disconnect', 'producer 2: connect as pos.idx-1']);
    expect(f.calls.slice(0, failedAt).some((c) => c.startsWith('pg: mark'))).to.equal(false);
    // The second producer starts from the same first row.
    expect(f.selects.slice(0, 2)).to.deep.equal([0n, 0n]);
  });

  it('stops during a backoff without another attempt', async () => {
    const f = fakes({ rows: outbox(3, () => 'k'), failSends: 1000 });
    const errors: unknown[] = [];
    const r = start(f, 4, { onError: (e) => errors.push(e) });
    await until(() => errors.length === 1);
    const connects = f.calls.filter((c) => c.includes(': connect as')).length;
    const t0 = Date.now();
    await r.stop();
    relay = undefined;
    expect(Date.now() - t0).to.be.lessThan(400);
    expect(f.calls.filter((c) => c.includes(': connect as')).length).to.equal(connects);
    expect(f.committed).to.deep.equal([]);
  });

  it('with the owner’s view sends only the rows it may see, and moves its position past a batch of none', async () => {
    // Rows 3..6 are another member's: the second batch (4 rows of 4, then 1) holds none to send.
    const rows = outbox(9, (i) => `k${i % 3}`);
    for (const r of rows) r.hidden = r.id >= 3n && r.id <= 6n;
    const f = fakes({ rows });
    const withheld: number[] = [];
    start(f, 4, { view: { org: 'Supplier2MSP', prefix: 'supplychain' }, onWithheld: (n) => withheld.push(n) });
    await until(() => rows.every((r) => r.published));
    expect(f.committed.map((m) => m.ceId)).to.deep.equal(['ev-1', 'ev-2', 'ev-7', 'ev-8', 'ev-9']);
    expect(withheld.reduce((a, b) => a + b, 0)).to.equal(4);
    const commits = f.calls.filter((c) => c.includes('commit'));
    expect(commits).to.deep.equal(['producer 1: commit up to 5', 'producer 1: commit up to 9', 'producer 1: commit up to 10']);
    expect(f.position()).to.equal(10n);
  });
});
