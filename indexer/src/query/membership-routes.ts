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
 *
 * The consortium registry and its governance, from the consortium contract's events:
 *
 *   GET /membership/registry                        members with their roles and GS1 prefixes
 *   GET /membership/proposals?status=open|applied|expired   governance proposals, newest first
 *   GET /membership/proposals/<proposalId>          one proposal with who proposed and approved it, when
 *
 * Who the members are, what they may do and how the consortium decides are
 * every member's to know, so these answers are the same for every member; only
 * `?txId=` is scoped: a transaction the caller may not see (visibility.ts) is
 * as unknown as one never committed, so the answer does not confirm it.
 */
import { Router } from 'express';
import type { Pool } from 'pg';
import { badRequest, notFound } from './http-errors';
import { requestScope, scopeParam, VISIBLE } from './visibility';

const TX_ID = /^[0-9a-f]{64}$/;
const PROPOSAL_STATUSES = ['open', 'applied', 'expired'] as const;

interface ProposalRow {
  proposal_id: string;
  change: unknown;
  proposed_by: string;
  proposed_at: Date;
  expires_at: Date;
  status: string;
  expired: boolean;
  approved_by: string[];
  required: number;
  applied_at: Date | null;
  applied_tx_id: string | null;
  tx_id: string;
  block_number: string;
}

const PROPOSAL_SQL = `SELECT proposal_id, change, proposed_by, proposed_at, expires_at, status, approved_by, required, applied_at, applied_tx_id,
  tx_id, block_number, (status = 'open' AND expires_at <= now()) AS expired FROM governance_proposals`;

function proposalView(r: ProposalRow) {
  return {
    proposalId: r.proposal_id,
    change: r.change,
    proposedBy: r.proposed_by,
    proposedAt: r.proposed_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
    status: r.expired ? 'expired' : r.status,
    approvedBy: r.approved_by,
    required: r.required,
    appliedAt: r.applied_at?.toISOString() ?? null,
    appliedTxId: r.applied_tx_id,
    lastTxId: r.tx_id,
    blockNumber: Number(r.block_number),
  };
}

export function membershipRoutes(pool: Pool): Router {
  const r = Router();
  r.get('/membership', async (req, res) => {
    const { txId, block } = req.query;
    if (txId !== undefined && block !== undefined) throw badRequest('give either txId or block, not both', 'block');
    let at: string | undefined;
    if (txId !== undefined) {
      if (typeof txId !== 'string' || !TX_ID.test(txId)) throw badRequest('txId must be a transaction id (64 hex digits)', 'txId');
      const tx = await pool.query<{ block_number: string }>(
        `SELECT t.block_number FROM transactions t WHERE t.tx_id = $1 AND ${VISIBLE.transaction('t', '$2')} ORDER BY t.block_number LIMIT 1`,
        [txId, scopeParam(requestScope(res))],
      );
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
  r.get('/membership/registry', async (_req, res) => {
    const rows = await pool.query<{
      msp_id: string;
      display_name: string;
      roles: string[];
      gs1_prefixes: string[] | null;
      tx_id: string;
      block_number: string;
    }>('SELECT msp_id, display_name, roles, gs1_prefixes, tx_id, block_number FROM consortium_members WHERE NOT removed ORDER BY msp_id');
    res.json({
      members: rows.rows.map((m) => ({
        mspId: m.msp_id,
        displayName: m.display_name,
        roles: m.roles,
        gs1Prefixes: m.gs1_prefixes ?? [],
        txId: m.tx_id,
        blockNumber: Number(m.block_number),
      })),
    });
  });

  r.get('/membership/proposals', async (req, res) => {
    const { status } = req.query;
    if (status !== undefined && !(PROPOSAL_STATUSES as readonly unknown[]).includes(status)) {
      throw badRequest(`status must be one of ${PROPOSAL_STATUSES.join(', ')}`, 'status');
    }
    const where =
      status === 'expired'
        ? "WHERE status = 'open' AND expires_at <= now()"
        : status === 'open'
          ? "WHERE status = 'open' AND expires_at > now()"
          : status === 'applied'
            ? "WHERE status = 'applied'"
            : '';
    const rows = await pool.query<ProposalRow>(`${PROPOSAL_SQL} ${where} ORDER BY proposed_at DESC, proposal_id LIMIT 500`);
    res.json({ proposals: rows.rows.map(proposalView) });
  });

  r.get('/membership/proposals/:proposalId', async (req, res) => {
    const id = req.params.proposalId;
    if (!/^[A-Za-z0-9][A-Za-z0-9._:/@#-]{0,127}$/.test(id)) throw badRequest('proposalId must be a proposal id', 'proposalId');
    const rows = await pool.query<ProposalRow>(`${PROPOSAL_SQL} WHERE proposal_id = $1`, [id]);
    if (rows.rowCount === 0) throw notFound(`no proposal ${id} in the index`);
    const approvals = await pool.query<{ msp_id: string; action: string; approved_at: Date; applied: boolean; tx_id: string; block_number: string }>(
      'SELECT msp_id, action, approved_at, applied, tx_id, block_number FROM governance_approvals WHERE proposal_id = $1 ORDER BY block_number, tx_index',
      [id],
    );
    res.json({
      ...proposalView(rows.rows[0]),
      approvals: approvals.rows.map((a) => ({
        mspId: a.msp_id,
        action: a.action,
        at: a.approved_at.toISOString(),
        applied: a.applied,
        txId: a.tx_id,
        blockNumber: Number(a.block_number),
      })),
    });
  });
  return r;
}
