/**
 * Channel membership over time, from the config blocks the indexer projected:
 *
 *   GET /membership                      the current configuration's organisations
 *   GET /membership?txId=<id>            who was a member when that transaction committed
 *   GET /membership?block=<n>            … when block n was committed
 *
 * The configuration in force for a block is the latest config block at or
 * before it. Members are listed per section (application organisations, which
 * endorse and transact; orderer organisations).
 */
import { Router } from 'express';
import type { Pool } from 'pg';
import { badRequest, notFound } from './http-errors';

const TX_ID = /^[0-9a-f]{64}$/;

export function membershipRoutes(pool: Pool): Router {
  const r = Router();
  r.get('/membership', async (req, res) => {
    const { txId, block } = req.query;
    if (txId !== undefined && block !== undefined) throw badRequest('give either txId or block, not both', 'block');
    let at: string | undefined;
    if (txId !== undefined) {
      if (typeof txId !== 'string' || !TX_ID.test(txId)) throw badRequest('txId must be a transaction id (64 hex digits)', 'txId');
      const tx = await pool.query<{ block_number: string }>('SELECT block_number FROM transactions WHERE tx_id = $1 ORDER BY block_number LIMIT 1', [txId]);
      if (tx.rowCount === 0) throw notFound(`no transaction ${txId} in the index`);
      at = tx.rows[0].block_number;
    } else if (block !== undefined) {
      if (typeof block !== 'string' || !/^\d{1,18}$/.test(block)) throw badRequest('block must be a block number', 'block');
      at = block;
    }
    const cfg = await pool.query<{ block_number: string; tx_id: string | null; config_time: Date | null }>(
      `SELECT block_number, tx_id, config_time FROM channel_configs ${at === undefined ? '' : 'WHERE block_number <= $1'} ORDER BY block_number DESC LIMIT 1`,
      at === undefined ? [] : [at],
    );
    if (cfg.rowCount === 0) throw notFound(at === undefined ? 'no config block indexed yet' : `no config block at or before block ${at}`);
    const c = cfg.rows[0];
    const members = await pool.query<{ msp_id: string; section: string; org_name: string }>(
      'SELECT msp_id, section, org_name FROM channel_members WHERE block_number = $1 ORDER BY section, msp_id',
      [c.block_number],
    );
    res.json({
      ...(txId !== undefined ? { txId } : {}),
      ...(at !== undefined ? { blockNumber: Number(at) } : {}),
      configBlock: { blockNumber: Number(c.block_number), txId: c.tx_id, time: c.config_time?.toISOString() ?? null },
      members: members.rows.map((m) => ({ mspId: m.msp_id, section: m.section, orgName: m.org_name })),
    });
  });
  return r;
}
