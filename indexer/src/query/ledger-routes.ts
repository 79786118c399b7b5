/**
 * The ledger as indexed, for the web console's ledger view:
 *
 *   GET /ledger/blocks?limit=&before=      newest blocks first, each with its transactions
 *   GET /ledger/transactions/:txId         one transaction (every commit of that id)
 *   GET /ledger/config-blocks              blocks holding a channel configuration
 *   GET /ledger/stream                     server-sent events: one `block` event per newly indexed block
 *
 * The stream follows the checkpoint, so a block appears once its projections
 * are committed and every query the console makes next already sees it. All
 * open streams share one checkpoint poll and one read of each new block; a
 * caller holds at most the cap of open streams (429 past it).
 *
 * Scoped to the caller (visibility.ts, VISIBLE.transaction): every member sees
 * the block headers, but a block lists only the transactions the caller may
 * see and a block with none of them is left out (of the list and the stream);
 * a transaction the caller may not see is as absent as one never committed.
 */
import { Router, type Request, type Response } from 'express';
import type { Pool } from 'pg';
import type { Principal } from '../../../lib/domain/src';
import { badRequest, notFound } from './http-errors';
import { requestScope, scopeParam, VISIBLE } from './visibility';
import { createCheckpointWatch, type CheckpointWatch } from './streams/checkpoint-watch';
import { createConnectionCap, tooManyStreams, type ConnectionCap } from './streams/connection-cap';

const TX_COLUMNS = `tx_id, block_number, tx_index, validation_code, tx_type, creator_msp, endorser_msps, chaincode_id, fn, event_id, tx_time`;

interface BlockRow {
  block_number: string;
  header_hash: string;
  previous_hash: string;
  data_hash: string;
  tx_count: number;
  indexed_at: string;
}

/**
 * Blocks matching `where` (over `b`, with `args` as $1…) with the transactions `org` may see (null: every one),
 * newest first; for an organisation, only blocks holding at least one of them.
 */
async function blocksWithTransactions(pool: Pool, where: string, args: unknown[], limit: number, org: string | null): Promise<unknown[]> {
  const o = `$${args.length + 1}`;
  const own = `(${o}::text IS NULL OR EXISTS (SELECT 1 FROM transactions t WHERE t.block_number = b.block_number AND ${VISIBLE.transaction('t', o)}))`;
  const blocks = (
    await pool.query<BlockRow>(
      `SELECT b.block_number, encode(b.header_hash, 'hex') AS header_hash, encode(b.previous_hash, 'hex') AS previous_hash,
              encode(b.data_hash, 'hex') AS data_hash, b.tx_count, b.indexed_at
         FROM blocks b WHERE ${where || 'true'} AND ${own} ORDER BY b.block_number DESC LIMIT ${limit}`,
      [...args, org],
    )
  ).rows;
  if (blocks.length === 0) return [];
  const txs = (
    await pool.query(
      `SELECT ${TX_COLUMNS} FROM transactions t WHERE t.block_number = ANY($1::bigint[]) AND ${VISIBLE.transaction('t', '$2')} ORDER BY t.block_number, t.tx_index`,
      [blocks.map((b) => b.block_number), org],
    )
  ).rows;
  const byBlock = new Map<string, unknown[]>();
  for (const t of txs) byBlock.set(String(t.block_number), [...(byBlock.get(String(t.block_number)) ?? []), t]);
  return blocks.map((b) => ({ ...b, transactions: byBlock.get(String(b.block_number)) ?? [] }));
}

function intParam(raw: unknown, field: string, min: number, max: number, dflt: number): number {
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw badRequest(`${field} must be an integer from ${min} to ${max}`, field);
  return n;
}

export interface LedgerRoutesOptions {
  pool: Pool;
  /** How often the stream looks at the checkpoint (ms), when no shared `watch` is given. */
  pollMs?: number;
  /** The checkpoint poll shared by every stream; default: one of these routes' own. */
  watch?: CheckpointWatch;
  /** Open streams per principal; default: 20. */
  cap?: ConnectionCap;
}

interface StreamClient {
  res: Response;
  hello: boolean;
  /** The caller's organisation (null: the auditor, every transaction). */
  org: string | null;
}

/** Every open ledger stream, fed from one checkpoint listener: each new block is read once per organisation streaming. */
function ledgerStreamHub(pool: Pool, watch: CheckpointWatch) {
  const clients = new Set<StreamClient>();
  let last: bigint | undefined;
  let chain = Promise.resolve();
  let unsubscribe: (() => void) | undefined;
  let keepAlive: NodeJS.Timeout | undefined;
  // Steps run one after another, so every client sees hello, then blocks in order.
  const enqueue = (step: () => Promise<void> | void): void => {
    chain = chain.then(step).catch(() => undefined);
  };
  const hello = (c: StreamClient, at: bigint) => {
    c.hello = true;
    c.res.write(`event: hello\ndata: ${JSON.stringify({ checkpoint: at.toString() })}\n\n`);
  };
  const advance = async (at: bigint) => {
    if (last !== undefined && at > last) {
      // At most 50 blocks per step: a console that fell far behind reloads the list instead.
      const from = at - last > 50n ? at - 50n : last;
      const texts = new Map<string | null, string>();
      for (const org of new Set([...clients].filter((c) => c.hello).map((c) => c.org))) {
        const blocks = (await blocksWithTransactions(pool, 'b.block_number > $1 AND b.block_number <= $2', [String(from), String(at)], 50, org)).reverse();
        texts.set(org, blocks.map((b) => `event: block\ndata: ${JSON.stringify(b)}\n\n`).join(''));
      }
      for (const c of clients) {
        const text = texts.get(c.org);
        if (c.hello && text) c.res.write(text);
      }
    }
    last = at;
    for (const c of clients) if (!c.hello) hello(c, at);
  };
  return {
    add(c: StreamClient): void {
      clients.add(c);
      if (!unsubscribe) {
        unsubscribe = watch.subscribe((at) => enqueue(() => advance(at)));
        keepAlive = setInterval(() => {
          for (const x of clients) x.res.write(': keep-alive\n\n');
        }, 15_000);
      } else if (last !== undefined) enqueue(() => (!c.hello && last !== undefined ? hello(c, last) : undefined));
    },
    delete(c: StreamClient): void {
      clients.delete(c);
      if (clients.size === 0 && unsubscribe) {
        unsubscribe();
        unsubscribe = undefined;
        clearInterval(keepAlive);
        last = undefined;
      }
    },
  };
}

export function ledgerRoutes(opts: LedgerRoutesOptions): Router {
  const { pool } = opts;
  const watch = opts.watch ?? createCheckpointWatch({ pool, pollMs: opts.pollMs ?? 500 });
  const cap = opts.cap ?? createConnectionCap({ maxPerKey: 20 });
  const hub = ledgerStreamHub(pool, watch);
  const r = Router();

  r.get('/ledger/blocks', async (req, res) => {
    const limit = intParam(req.query.limit, 'limit', 1, 200, 20);
    const org = scopeParam(requestScope(res));
    const before = req.query.before === undefined ? undefined : intParam(req.query.before, 'before', 0, Number.MAX_SAFE_INTEGER, 0);
    const blocks =
      before === undefined
        ? await blocksWithTransactions(pool, '', [], limit, org)
        : await blocksWithTransactions(pool, 'b.block_number < $1', [before], limit, org);
    res.json({ blocks });
  });

  r.get('/ledger/config-blocks', async (_req, res) => {
    // Configuration transactions are every member's (VISIBLE.transaction).
    const rows = (await pool.query(`SELECT ${TX_COLUMNS} FROM transactions WHERE tx_type = 'CONFIG' ORDER BY block_number`)).rows;
    res.json({ configBlocks: rows });
  });

  r.get('/ledger/transactions/:txId', async (req, res) => {
    if (!/^[0-9a-f]{64}$/.test(req.params.txId)) throw badRequest('txId must be 64 hex digits', 'txId');
    const rows = (
      await pool.query(
        `SELECT ${TX_COLUMNS} FROM transactions t WHERE t.tx_id = $1 AND ${VISIBLE.transaction('t', '$2')} ORDER BY t.block_number, t.tx_index`,
        [req.params.txId, scopeParam(requestScope(res))],
      )
    ).rows;
    if (rows.length === 0) throw notFound(`transaction ${req.params.txId}`);
    res.json({ transactions: rows });
  });

  r.get('/ledger/stream', (req: Request, res: Response) => {
    const principal = res.locals.principal as Principal | undefined;
    const release = cap.acquire(`sse|${principal?.clientId ?? '-'}`);
    if (!release) throw tooManyStreams('ledger', cap.max);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': ledger stream\n\n');
    const client: StreamClient = { res, hello: false, org: scopeParam(requestScope(res)) };
    hub.add(client);
    res.on('close', () => {
      hub.delete(client);
      release();
    });
  });

  return r;
}
