import { expect } from 'chai';
import { ServiceError } from '../../../lib/platform/src/errors';
import { backoffMs, withRetry, type RetryOptions } from '../../../lib/platform/src/retry';

const transient = () => new ServiceError({ code: 'LEDGER_UNAVAILABLE', message: 'no peers', httpStatus: 503, retriable: true });
const verdict = () => new ServiceError({ code: 'INSUFFICIENT_STOCK', message: 'not enough', httpStatus: 409 });

/** A fake clock: sleeping advances it and records each delay, so no test waits for real. */
function fakeTime(random = () => 0.5) {
  let t = 0;
  const slept: number[] = [];
  const opts: Pick<RetryOptions, 'sleep' | 'now' | 'random'> = {
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
    now: () => t,
    random,
  };
  return { slept, opts };
}

describe('withRetry (the one retry helper)', () => {
  it('gives up after the attempt budget and throws the last error', async () => {
    const time = fakeTime();
    let calls = 0;
    const err = await withRetry(
      async () => {
        calls++;
        throw transient();
      },
      { attempts: 4, ...time.opts },
    ).catch((e) => e);
    expect(err).to.be.instanceOf(ServiceError);
    expect(err.code).to.equal('LEDGER_UNAVAILABLE');
    expect(calls).to.equal(4);
    expect(time.slept).to.have.length(3);
  });

  it('returns the first success and passes the attempt number', async () => {
    const time = fakeTime();
    const seen: number[] = [];
    const out = await withRetry(
      async (attempt) => {
        seen.push(attempt);
        if (attempt < 3) throw transient();
        return 'committed';
      },
      { attempts: 5, ...time.opts },
    );
    expect(out).to.equal('committed');
    expect(seen).to.deep.equal([1, 2, 3]);
  });

  it('does not retry an error that is not retriable', async () => {
    const time = fakeTime();
    let calls = 0;
    const err = await withRetry(
      async () => {
        calls++;
        throw verdict();
      },
      { attempts: 5, ...time.opts },
    ).catch((e) => e);
    expect(err.code).to.equal('INSUFFICIENT_STOCK');
    expect(calls).to.equal(1);
    expect(time.slept).to.deep.equal([]);
  });

  it('does not retry errors outside the error base unless the predicate says so', async () => {
    const time = fakeTime();
    let calls = 0;
    const plain = await withRetry(
      async () => {
        calls++;
        throw new Error('ECONNREFUSED');
      },
      { attempts: 3, ...time.opts },
    ).catch((e) => e);
    expect(plain.message).to.equal('ECONNREFUSED');
    expect(calls).to.equal(1);
    calls = 0;
    await withRetry(
      async () => {
        calls++;
        throw new Error('ECONNREFUSED');
      },
      { attempts: 3, retriable: () => true, ...time.opts },
    ).catch((e) => e);
    expect(calls).to.equal(3);
  });

  it('doubles the delay per attempt up to the cap', async () => {
    // random() = 0.5 is a jitter factor of exactly 1.
    const time = fakeTime(() => 0.5);
    await withRetry(
      async () => {
        throw transient();
      },
      { attempts: 7, baseDelayMs: 100, maxDelayMs: 1000, ...time.opts },
    ).catch(() => undefined);
    expect(time.slept).to.deep.equal([100, 200, 400, 800, 1000, 1000]);
  });

  it('spreads each delay by jitter between half and one and a half times', () => {
    expect(backoffMs(3, 100, 10_000, () => 0)).to.equal(200);
    expect(backoffMs(3, 100, 10_000, () => 0.999)).to.equal(600);
    const seen = new Set(Array.from({ length: 50 }, () => backoffMs(2, 100, 10_000)));
    expect(seen.size).to.be.greaterThan(1);
    for (const d of seen) expect(d).to.be.within(100, 300);
  });

  it('gives up when the next attempt would start after the deadline', async () => {
    const time = fakeTime();
    let calls = 0;
    await withRetry(
      async () => {
        calls++;
        throw transient();
      },
      { deadlineMs: 1000, baseDelayMs: 300, maxDelayMs: 300, ...time.opts },
    ).catch(() => undefined);
    // Waits 300, 300, 300 (t = 900); a fourth wait would end at 1200 > 1000.
    expect(calls).to.equal(4);
    expect(time.slept).to.deep.equal([300, 300, 300]);
  });

  it('stops when the signal aborts during a wait, with the last error', async () => {
    const abort = new AbortController();
    let calls = 0;
    const err = await withRetry(
      async () => {
        calls++;
        throw transient();
      },
      {
        attempts: Infinity,
        baseDelayMs: 60_000,
        signal: abort.signal,
        onRetry: () => abort.abort(),
      },
    ).catch((e) => e);
    expect(err.code).to.equal('LEDGER_UNAVAILABLE');
    expect(calls).to.equal(1);
  });

  it('does not start when the signal is already aborted', async () => {
    const abort = new AbortController();
    abort.abort(new Error('stopping'));
    let calls = 0;
    const err = await withRetry(
      async () => {
        calls++;
        return 1;
      },
      { attempts: 3, signal: abort.signal },
    ).catch((e) => e);
    expect(err.message).to.equal('stopping');
    expect(calls).to.equal(0);
  });

  it('awaits onRetry before the next attempt', async () => {
    const time = fakeTime();
    const order: string[] = [];
    await withRetry(
      async (attempt) => {
        order.push(`attempt ${attempt}`);
        if (attempt === 1) throw transient();
      },
      {
        attempts: 2,
        ...time.opts,
        onRetry: async (err, attempt, delayMs) => {
          await new Promise((r) => setImmediate(r));
          order.push(`retry after ${attempt} in ${delayMs} (${(err as ServiceError).code})`);
        },
      },
    );
    expect(order).to.deep.equal(['attempt 1', 'retry after 1 in 50 (LEDGER_UNAVAILABLE)', 'attempt 2']);
  });
});
