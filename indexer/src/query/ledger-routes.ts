/**
 * The ledger as indexed, for the web console's ledger view:
 *
 *   GET /ledger/blocks?limit=&before=      newest blocks first, each with its transactions
 *   GET /ledger/transactions/:txId         one transaction (every commit of that id)
 *   GET /ledger/config-blocks              blocks holding a channel configuration
 *   GET /ledger/stream                     server-sent events: one `block` event per newly indexed block
 *
 * The stream follows the checkpoint, so a block appears once its projections
 * are committed and every query the console makes next already sees it.
 */
import { Router, type Request, type Response } from 'express';
import type { Pool } from 'pg';
import { badRequest } from './http-errors';

const TX_COLUMNS = `tx_id, block_number, tx_index, validation_code, tx_type, creator_msp, endorser_msps, chaincode_id, fn, event_id, tx_time`;

interface BlockRow {
  block_number: string;
  header_hash: string;
  previous_hash: string;
  data_hash: string;
  tx_count: number;
  indexed_at: string;
}

/** Blocks `from..to` (inclusive) with their transactions, newest first. */
async function blocksWithTransactions(pool: Pool, where: string, args: unknown[], limit: number): Promise<unknown[]> {
  const blocks = (
    await pool.query<BlockRow>(
      `SELECT block_number, encode(header_hash, 'hex') AS header_hash, encode(previous_hash, 'hex') AS previous_hash,
              encode(data_hash, 'hex') AS data_hash, tx_count, indexed_at
         FROM blocks ${where} ORDER BY block_number DESC LIMIT ${limit}`,
      args,
    )
  ).rows;
  if (blocks.length === 0) return [];
  const txs = (
    await pool.query(`SELECT ${TX_COLUMNS} FROM transactions WHERE block_number = ANY($1::bigint[]) ORDER BY block_number, tx_index`, [
      blocks.map((b) => b.block_number),
    ])
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
  /** How often the stream looks at the checkpoint (ms). */
  pollMs?: number;
}

export function ledgerRoutes(opts: LedgerRoutesOptions): Router {
  const { pool } = opts;
  const pollMs = opts.pollMs ?? 500;
  const r = Router();

  r.get('/ledger/blocks', async (req, res) => {
    const limit = intParam(req.query.limit, 'limit', 1, 200, 20);
    const before = req.query.before === undefined ? undefined : intParam(req.query.before, 'before', 0, Number.MAX_SAFE_INTEGER, 0);
    const blocks =
      before === undefined ? await blocksWithTransactions(pool, '', [], limit) : await blocksWithTransactions(pool, 'WHERE block_number < $1', [before], limit);
    res.json({ blocks });
  });

  r.get('/ledger/config-blocks', async (_req, res) => {
    const rows = (await pool.query(`SELECT ${TX_COLUMNS} FROM transactions WHERE tx_type = 'CONFIG' ORDER BY block_number`)).rows;
    res.json({ configBlocks: rows });
  });

  r.get('/ledger/transactions/:txId', async (req, res) => {
    if (!/^[0-9a-f]{64}$/.test(req.params.txId)) throw badRequest('txId must be 64 hex digits', 'txId');
    const rows = (await pool.query(`SELECT ${TX_COLUMNS} FROM transactions WHERE tx_id = $1 ORDER BY block_number, tx_index`, [req.params.txId])).rows;
    res.json({ transactions: rows });
  });

  r.get('/ledger/stream', (req: Request, res: Response) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': ledger stream\n\n');
    let last: bigint | undefined;
    let busy = false;
    let closed = false;
    let quietTicks = 0;
    const tick = async () => {
      if (busy || closed) return;
      busy = true;
      try {
        const cp = (await pool.query<{ block_number: string }>('SELECT block_number FROM checkpoint')).rows[0]?.block_number;
        if (cp !== undefined) {
          const at = BigInt(cp);
          if (last === undefined) {
            last = at;
            res.write(`event: hello\ndata: ${JSON.stringify({ checkpoint: cp })}\n\n`);
          } else if (at > last) {
            // At most 50 blocks per tick: a console that fell far behind reloads the list instead.
            const from = at - last > 50n ? at - 50n : last;
            const blocks = (await blocksWithTransactions(pool, 'WHERE block_number > $1 AND block_number <= $2', [String(from), String(at)], 50)).reverse();
            for (const b of blocks) if (!closed) res.write(`event: block\ndata: ${JSON.stringify(b)}\n\n`);
            last = at;
            quietTicks = 0;
          } else if (++quietTicks * pollMs >= 15_000) {
            quietTicks = 0;
            res.write(': keep-alive\n\n');
          }
        }
      } catch {
        // A database hiccup: the next tick tries again; the console shows the stream as live until it closes.
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(() => void tick(), pollMs);
    void tick();
    req.on('close', () => {
      closed = true;
      clearInterval(timer);
    });
  });

  return r;
}
