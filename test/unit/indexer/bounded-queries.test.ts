import { expect } from 'chai';
import { walkLineage, type TraceLimits } from '../../../indexer/src/query/lineage-walk';
import { createCheckpointWatch } from '../../../indexer/src/query/streams/checkpoint-watch';
import { createConnectionCap } from '../../../indexer/src/query/streams/connection-cap';
import { createRateLimiter } from '../../../lib/platform/src';
import { DEFAULT_QUERY_LIMITS, loadQueryLimits } from '../../../indexer/src/config';

/** A diamond of `depth` transformations in memory: level k holds L<k>a and L<k>b, each a parent of both lots of level k + 1. */
function diamond(depth: number): Array<{ parent: string; child: string }> {
  const edges = [];
  for (let k = 0; k < depth; k++) for (const p of 'ab') for (const c of 'ab') edges.push({ parent: `L${k}${p}`, child: `L${k + 1}${c}` });
  return edges;
}

/**
 * Answers the walk's one statement per level from `edges`, as PostgreSQL would
 * (frontier arrays in, edges sorted, LIMIT), and counts the statements.
 */
function fakeDb(edges: Array<{ parent: string; child: string }>) {
  const db = {
    statements: 0,
    rowsRead: 0,
    async query(sql: string, [gtins, lots, limit]: [string[], string[], number]) {
      db.statements += 1;
      const up = sql.includes('l.child_gtin = f.gtin');
      const frontier = new Set(lots.map((l, i) => `${gtins[i]}/${l}`));
      const rows = edges
        .filter((e) => frontier.has(`G/${up ? e.child : e.parent}`))
        .map((e) => ({
          gtin: 'G',
          lot_code: up ? e.parent : e.child,
          from_gtin: 'G',
          from_lot_code: up ? e.child : e.parent,
          tx_id: `tx-${e.parent}-${e.child}`,
          block_number: '7',
        }))
        .sort((a, b) => (a.lot_code + a.from_lot_code).localeCompare(b.lot_code + b.from_lot_code))
        .slice(0, limit);
      db.rowsRead += rows.length;
      return { rows };
    },
  };
  return db as unknown as typeof db & Parameters<typeof walkLineage>[0];
}

const LIMITS: TraceLimits = { maxDepth: 64, maxRows: 10_000, deadlineMs: 10_000 };

describe('bounded lineage walk (in-memory lot graph)', () => {
  it('walks a diamond of depth 22 with each lineage edge once and each lot once: linear, not 2^22 paths', async () => {
    const db = fakeDb(diamond(22));
    const w = await walkLineage(db, { roots: [['G', 'L22a']], direction: 'up', limits: LIMITS });
    // 2 edges into L22a, then 4 per level below it.
    expect(w.steps).to.have.length(2 + 4 * 21);
    expect(new Set(w.steps.map((s) => `${s.lot_code}>${s.from_lot_code}`)).size).to.equal(w.steps.length);
    expect(w.lots).to.have.length(1 + 2 * 22);
    expect(new Set(w.lots.map((l) => l.lot_code)).size).to.equal(w.lots.length);
    expect(w.lots.find((l) => l.lot_code === 'L0b')!.depth).to.equal(22);
    expect(w.truncated).to.equal(false);
    // One statement per level (and the last finds nothing), each reading only new edges.
    expect(db.statements).to.equal(23);
    expect(db.rowsRead).to.equal(w.steps.length);
  });

  it('stops at the depth limit and says so', async () => {
    const w = await walkLineage(fakeDb(diamond(22)), { roots: [['G', 'L0a']], direction: 'down', limits: { ...LIMITS, maxDepth: 5 } });
    expect(Math.max(...w.steps.map((s) => s.depth))).to.equal(5);
    expect(w).to.deep.include({ truncated: true, truncatedBy: 'depth', limits: { maxDepth: 5, maxRows: 10_000 } });
  });

  it('a graph exactly as deep as the limit is not truncated', async () => {
    const w = await walkLineage(fakeDb(diamond(5)), { roots: [['G', 'L0a']], direction: 'down', limits: { ...LIMITS, maxDepth: 5 } });
    expect(w.truncated).to.equal(false);
    expect(w.lots).to.have.length(1 + 2 * 5);
  });

  it('stops at the row limit and says so', async () => {
    const w = await walkLineage(fakeDb(diamond(22)), { roots: [['G', 'L0a']], direction: 'down', limits: { ...LIMITS, maxRows: 9 } });
    expect(w.steps).to.have.length(9);
    expect(w).to.deep.include({ truncated: true, truncatedBy: 'rows' });
  });

  it('walks several starting lots together, each reached lot once', async () => {
    const w = await walkLineage(fakeDb(diamond(4)), {
      roots: [
        ['G', 'L0a'],
        ['G', 'L0b'],
        ['G', 'L0a'],
      ],
      direction: 'down',
      limits: LIMITS,
    });
    expect(w.lots.map((l) => l.lot_code).sort()).to.deep.equal(['L0a', 'L0b', 'L1a', 'L1b', 'L2a', 'L2b', 'L3a', 'L3b', 'L4a', 'L4b']);
    expect(w.steps).to.have.length(16);
  });

  it('a walk past its deadline is a 503 QUERY_TIMEOUT, not a hanging request', async () => {
    let t = 0;
    const err = await walkLineage(fakeDb(diamond(22)), {
      roots: [['G', 'L0a']],
      direction: 'down',
      limits: { ...LIMITS, deadlineMs: 50 },
      now: () => (t += 10),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.include({ code: 'QUERY_TIMEOUT', httpStatus: 503 });
  });
});

describe('stream limits (no network)', () => {
  it('caps open streams per principal and gives slots back once', () => {
    const cap = createConnectionCap({ maxPerKey: 3 });
    const held = [cap.acquire('a'), cap.acquire('a'), cap.acquire('a')];
    expect(held.every(Boolean)).to.equal(true);
    expect(cap.acquire('a')).to.equal(undefined);
    expect(cap.acquire('b')).to.be.a('function');
    held[0]!();
    held[0]!();
    expect(cap.count('a')).to.equal(2);
    expect(cap.acquire('a')).to.be.a('function');
    expect(cap.acquire('a')).to.equal(undefined);
  });

  it('one checkpoint poll serves every listener, and stops when the last one leaves', async () => {
    let checkpoint = 5;
    let reads = 0;
    const pool = {
      query: async () => {
        reads += 1;
        return { rows: [{ block_number: String(checkpoint) }] };
      },
    } as unknown as Parameters<typeof createCheckpointWatch>[0]['pool'];
    const watch = createCheckpointWatch({ pool, pollMs: 10 });
    const seen: bigint[][] = Array.from({ length: 500 }, () => []);
    const stops = seen.map((s) => watch.subscribe((cp) => s.push(cp)));
    await new Promise((r) => setTimeout(r, 60));
    checkpoint = 6;
    await new Promise((r) => setTimeout(r, 60));
    for (const s of seen) expect(s).to.deep.equal([5n, 6n]);
    // About one read per 10 ms tick for all 500 listeners together, not 500 per tick.
    expect(reads).to.be.at.most(watch.polls()).and.to.be.below(50);
    for (const stop of stops) stop();
    const after = reads;
    await new Promise((r) => setTimeout(r, 50));
    expect(reads).to.equal(after);
    expect(watch.listeners()).to.equal(0);
  });

  it('rate limits per principal with a retry time', () => {
    let now = 0;
    const limiter = createRateLimiter({ ratePerSec: 2, burst: 3, now: () => now });
    expect([1, 2, 3].map(() => limiter.take('a').ok)).to.deep.equal([true, true, true]);
    expect(limiter.take('a')).to.deep.equal({ ok: false, retryAfterSec: 1 });
    expect(limiter.take('b').ok).to.equal(true);
    now += 500;
    expect(limiter.take('a').ok).to.equal(true);
  });
});

describe('query limits configuration', () => {
  it('reads every bound from the environment, with defaults, and names a bad variable', () => {
    expect(loadQueryLimits({})).to.deep.equal(DEFAULT_QUERY_LIMITS);
    expect(
      loadQueryLimits({
        INDEXER_QUERY_POOL_MAX: '4',
        INDEXER_QUERY_TIMEOUT_MS: '2500',
        INDEXER_TRACE_MAX_DEPTH: '30',
        INDEXER_TRACE_MAX_ROWS: '500',
        INDEXER_RATE_LIMIT_RPS: '5',
        INDEXER_RATE_LIMIT_BURST: '10',
        INDEXER_STREAMS_PER_PRINCIPAL: '3',
      }),
    ).to.deep.equal({ poolMax: 4, statementTimeoutMs: 2500, maxDepth: 30, maxRows: 500, rateLimit: { ratePerSec: 5, burst: 10 }, streamsPerPrincipal: 3 });
    expect(() => loadQueryLimits({ INDEXER_TRACE_MAX_DEPTH: '0' })).to.throw(/INDEXER_TRACE_MAX_DEPTH/);
    expect(() => loadQueryLimits({ INDEXER_QUERY_TIMEOUT_MS: 'soon' })).to.throw(/INDEXER_QUERY_TIMEOUT_MS/);
  });
});
