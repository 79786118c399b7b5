import { expect } from 'chai';
import { createDeliveryPool, type DeliveryResult } from '../../../indexer/src/query/epcis/delivery-pool';

interface Sub {
  id: string;
  dest: string;
  attempts: number;
}

/** A delivery that ends only when the test says so (a receiver that never answers), or when the pool aborts it. */
function hanging() {
  const waiting: Array<() => void> = [];
  return {
    run: (signal: AbortSignal) =>
      new Promise<DeliveryResult>((resolve) => {
        const end = () => resolve('unreachable');
        waiting.push(end);
        signal.addEventListener('abort', end, { once: true });
      }),
    release: () => waiting.splice(0).forEach((f) => f()),
    get count() {
      return waiting.length;
    },
  };
}

describe('webhook delivery pool', () => {
  it('a dead receiver does not delay another subscriber: its deliveries hang while the other is delivered, in order', async () => {
    const dead = hanging();
    const delivered: string[] = [];
    const pool = createDeliveryPool<Sub>({
      concurrency: 4,
      perDestination: 2,
      key: (s) => s.id,
      destination: (s) => s.dest,
      retrying: (s) => s.attempts > 0,
      run: async (s, signal) => {
        if (s.dest === 'dead:80') return dead.run(signal);
        delivered.push(s.id);
        return 'ok';
      },
    });
    // Ten subscriptions of the dead receiver come first, as the oldest would.
    const deadSubs = Array.from({ length: 10 }, (_, i) => ({ id: `dead-${i}`, dest: 'dead:80', attempts: 0 }));
    const live = { id: 'live', dest: 'live:80', attempts: 0 };
    expect(pool.offer([...deadSubs, live])).to.equal(3);
    // The live subscriber is delivered although the dead receiver still holds its deliveries.
    await new Promise((r) => setImmediate(r));
    expect(delivered).to.deep.equal(['live']);
    expect(dead.count).to.equal(2);
    expect(pool.inFlight().sort()).to.deep.equal(['dead-0', 'dead-1']);
    // The live subscriber's next pages go out while the dead receiver still hangs, one at a time and in order.
    for (const page of [1, 2, 3]) {
      expect(pool.offer([...deadSubs, live])).to.equal(1);
      await new Promise((r) => setImmediate(r));
      expect(delivered.length, `page ${page}`).to.equal(page + 1);
    }
    expect(dead.count).to.equal(2);
    await pool.stop();
    expect(pool.inFlight()).to.deep.equal([]);
  });

  it('an unreachable destination is backed off; other destinations are not', async () => {
    let t = 0;
    const runs: string[] = [];
    const pool = createDeliveryPool<Sub>({
      concurrency: 4,
      baseBackoffMs: 1000,
      key: (s) => s.id,
      destination: (s) => s.dest,
      retrying: (s) => s.attempts > 0,
      run: async (s) => {
        runs.push(s.id);
        return s.dest === 'down:80' ? 'unreachable' : 'ok';
      },
      now: () => t,
    });
    const a = { id: 'a', dest: 'down:80', attempts: 0 };
    const b = { id: 'b', dest: 'down:80', attempts: 0 };
    const c = { id: 'c', dest: 'up:80', attempts: 0 };
    pool.offer([a]);
    await pool.idle();
    expect(pool.offer([a, b, c])).to.equal(1); // only c: down:80 backs off for 1 s
    await pool.idle();
    t = 999;
    expect(pool.offer([b])).to.equal(0);
    t = 1000;
    expect(pool.offer([b])).to.equal(1);
    await pool.idle();
    t = 2999; // the second failure doubles the back-off
    expect(pool.offer([a])).to.equal(0);
    t = 3000;
    expect(pool.offer([a])).to.equal(1);
    await pool.idle();
    expect(runs).to.deep.equal(['a', 'c', 'b', 'a']);
  });

  it('retrying subscriptions take at most their share of the slots, so a healthy one always finds room', async () => {
    const dead = hanging();
    const pool = createDeliveryPool<Sub>({
      concurrency: 4,
      perDestination: 4,
      key: (s) => s.id,
      destination: (s) => s.dest,
      retrying: (s) => s.attempts > 0,
      run: (s, signal) => (s.attempts > 0 ? dead.run(signal) : Promise.resolve<DeliveryResult>('ok')),
    });
    const failing = Array.from({ length: 50 }, (_, i) => ({ id: `f-${i}`, dest: `dead-${i}:80`, attempts: 3 }));
    expect(pool.offer(failing)).to.equal(2);
    expect(pool.offer([{ id: 'healthy', dest: 'live:80', attempts: 0 }])).to.equal(1);
    expect(pool.inFlight()).to.include('healthy');
    dead.release();
    await pool.idle();
    await pool.stop();
  });

  it('subscriptions with nothing to send, offered first on every pass, keep neither a later one nor a retrying one of the same destination from its turn', async () => {
    const runs: string[] = [];
    const pool = createDeliveryPool<Sub>({
      concurrency: 8,
      perDestination: 2,
      key: (s) => s.id,
      destination: (s) => s.dest,
      retrying: (s) => s.attempts > 0,
      run: async (s) => {
        runs.push(s.id);
        return s.id.startsWith('idle') ? 'skipped' : 'ok';
      },
    });
    // The order of the due subscriptions: those that never sent anything keep their place at the front, a retrying one comes last.
    const due = [
      ...['idle-0', 'idle-1', 'idle-2', 'busy'].map((id) => ({ id, dest: 'hooks:80', attempts: 0 })),
      { id: 'retry', dest: 'hooks:80', attempts: 2 },
    ];
    for (let pass = 0; pass < 6; pass++) {
      expect(pool.offer(due), `pass ${pass}`).to.equal(2);
      await pool.idle();
    }
    expect(runs.slice(0, 2)).to.deep.equal(['idle-0', 'idle-1']);
    expect(runs.slice(0, 6), 'every due subscription had its turn within three passes').to.include.members(['busy', 'retry']);
    // Each has as many turns as the others, within one.
    const counts = due.map((s) => runs.filter((r) => r === s.id).length);
    expect(Math.max(...counts) - Math.min(...counts)).to.be.at.most(1);
    await pool.stop();
  });
});
