/**
 * `indexer verify`: reconciles the read model with the ledger. Checks the
 * stored hash chain, then compares stock levels (per location) and lots
 * (status, lineage, positions) with world state through the contract's
 * queries. Meant for a quiet ledger or a point where the indexer has caught
 * up: world state has no "as of block" query.
 */
import type { Pool } from 'pg';
import { blockHeaderHash, connectLedger, type LedgerClient } from '../../../lib/fabric/src';
import type { IndexerConfig } from '../config';
import { createPool } from '../db/pool';
import { readTip } from '../projection/project-block';
import { CONTRACT } from '../../../lib/domain/src';

export interface VerifyReport {
  ok: boolean;
  ledgerHeight: bigint;
  checkpoint: bigint | undefined;
  blocksChecked: number;
  locationsChecked: number;
  lotsChecked: number;
  differences: string[];
}

export interface VerifyOptions {
  out?: (line: string) => void;
  connect?: () => Promise<LedgerClient>;
  /** How long to wait for the indexer to reach the ledger height, ms. */
  catchUpMs?: number;
}

/** Re-derives every stored header hash and checks each block links to the one before. */
export async function verifyStoredChain(pool: Pool): Promise<{ blocks: number; differences: string[] }> {
  const r = await pool.query<{ block_number: string; header_hash: Buffer; previous_hash: Buffer; data_hash: Buffer }>(
    'SELECT block_number, header_hash, previous_hash, data_hash FROM blocks ORDER BY block_number',
  );
  const differences: string[] = [];
  let prev: { n: bigint; hash: Buffer } | undefined;
  for (const row of r.rows) {
    const n = BigInt(row.block_number);
    if (!blockHeaderHash(n, row.previous_hash, row.data_hash).equals(row.header_hash))
      differences.push(`block ${n}: stored header hash does not match its stored header fields`);
    if (prev && prev.n + 1n !== n) differences.push(`block ${n}: follows block ${prev.n}`);
    if (prev && !row.previous_hash.equals(prev.hash)) differences.push(`block ${n}: previous hash does not match the stored header hash of block ${prev.n}`);
    prev = { n, hash: row.header_hash };
  }
  return { blocks: r.rows.length, differences };
}

async function query(ledger: LedgerClient, fn: string, ...args: string[]): Promise<any> {
  return JSON.parse((await ledger.evaluate({ contract: CONTRACT.traceability, fn, args })).toString('utf8'));
}

/** Runs `fn` over `items` with at most `n` at a time. */
async function eachLimited<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (i < items.length) await fn(items[i++]);
    }),
  );
}

const positionsText = (rows: { gln?: string; gtin?: string; lotCode?: string; baseUnits: string }[]) =>
  rows
    .map((p) => `${p.gln ?? ''}/${p.gtin ?? ''}/${p.lotCode ?? ''}=${p.baseUnits}`)
    .sort()
    .join(', ');

export async function verifyAgainstLedger(pool: Pool, ledger: LedgerClient, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const height = await ledger.height();
  const deadline = Date.now() + (opts.catchUpMs ?? 60_000);
  let tip = await readTip(pool);
  while ((tip?.blockNumber ?? -1n) < height - 1n && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    tip = await readTip(pool);
  }
  const differences: string[] = [];
  if ((tip?.blockNumber ?? -1n) < height - 1n) differences.push(`indexer checkpoint ${tip?.blockNumber ?? 'none'} is behind ledger height ${height}`);
  const chain = await verifyStoredChain(pool);
  differences.push(...chain.differences);

  const glns = (await pool.query<{ gln: string }>('SELECT gln FROM warehouses ORDER BY gln')).rows.map((r) => r.gln);
  await eachLimited(glns, 8, async (gln) => {
    const ws = await query(ledger, 'GetStock', gln);
    const pg = await pool.query<{ gtin: string; lot_code: string; base_units: string }>(
      'SELECT gtin, lot_code, base_units FROM stock_levels WHERE gln = $1 AND base_units > 0',
      [gln],
    );
    const a = positionsText(
      (ws.positions as { gtin: string; lotCode: string; baseUnits: string }[]).map((p) => ({ gtin: p.gtin, lotCode: p.lotCode, baseUnits: p.baseUnits })),
    );
    const b = positionsText(pg.rows.map((p) => ({ gtin: p.gtin, lotCode: p.lot_code, baseUnits: p.base_units })));
    if (a !== b) differences.push(`stock at ${gln}: ledger [${a}] vs PostgreSQL [${b}]`);
  });

  const lots = (await pool.query<{ gtin: string; lot_code: string; status: string }>('SELECT gtin, lot_code, status FROM lots ORDER BY gtin, lot_code')).rows;
  await eachLimited(lots, 8, async (lot) => {
    const ws = await query(ledger, 'GetLot', lot.gtin, lot.lot_code);
    const name = `lot ${lot.gtin}/${lot.lot_code}`;
    if (ws.lot.status !== lot.status) differences.push(`${name}: status ${ws.lot.status} on the ledger, ${lot.status} in PostgreSQL`);
    const parents = await pool.query<{ g: string; l: string }>(
      'SELECT parent_gtin AS g, parent_lot_code AS l FROM lot_lineage WHERE child_gtin = $1 AND child_lot_code = $2',
      [lot.gtin, lot.lot_code],
    );
    const pa = (ws.lot.parents as { gtin: string; lotCode: string }[])
      .map((p) => `${p.gtin}/${p.lotCode}`)
      .sort()
      .join(', ');
    const pb = parents.rows
      .map((p) => `${p.g}/${p.l}`)
      .sort()
      .join(', ');
    if (pa !== pb) differences.push(`${name}: parents [${pa}] on the ledger, [${pb}] in PostgreSQL`);
    const pos = await pool.query<{ gln: string; base_units: string }>(
      'SELECT gln, base_units FROM stock_levels WHERE gtin = $1 AND lot_code = $2 AND base_units > 0',
      [lot.gtin, lot.lot_code],
    );
    const a = positionsText((ws.positions as { gln: string; baseUnits: string }[]).map((p) => ({ gln: p.gln, baseUnits: p.baseUnits })));
    const b = positionsText(pos.rows.map((p) => ({ gln: p.gln, baseUnits: p.base_units })));
    if (a !== b) differences.push(`${name}: positions [${a}] on the ledger, [${b}] in PostgreSQL`);
  });
  return {
    ok: differences.length === 0,
    ledgerHeight: height,
    checkpoint: tip?.blockNumber,
    blocksChecked: chain.blocks,
    locationsChecked: glns.length,
    lotsChecked: lots.length,
    differences,
  };
}

/** The CLI command: connects, verifies, prints the reconciliation report. */
export async function runVerify(config: IndexerConfig, opts: VerifyOptions = {}): Promise<VerifyReport> {
  if (!config.databaseUrl) throw new Error('verify needs DATABASE_URL');
  const out = opts.out ?? (() => undefined);
  const pool = createPool({ connectionString: config.databaseUrl, schema: config.schema, max: 8 });
  const ledger = await (opts.connect ?? (() => connectLedger(config.ledger)))();
  try {
    const report = await verifyAgainstLedger(pool, ledger, opts);
    out(`verify schema ${config.schema} against the ledger (height ${report.ledgerHeight}, checkpoint ${report.checkpoint ?? 'none'})`);
    out(`  stored blocks checked: ${report.blocksChecked}; locations: ${report.locationsChecked}; lots: ${report.lotsChecked}`);
    for (const d of report.differences) out(`  DIFFERENCE ${d}`);
    out(report.ok ? 'verify: no differences' : `verify: ${report.differences.length} difference(s)`);
    return report;
  } finally {
    ledger.close();
    await pool.end();
  }
}
