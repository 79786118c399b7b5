/**
 * Bulk loading a fresh schema (rebuild, replay from block 0): secondary
 * indexes are dropped before the load and created again after it, which costs
 * one sort per index instead of an index update per row. Indexes that back a
 * primary key or unique constraint stay: the projection's upserts and
 * duplicate checks rely on them; so do the indexes a trigger looks up on
 * every insert (KEPT_INDEXES).
 */
import type { Pool } from 'pg';

/**
 * Secondary indexes a bulk load keeps: lot_sites_lot is read by the trigger that fills lot_sites
 * (migration 020), lot_lineage_child by the one that fills lot_descendants (022) to find a lot's ancestors.
 */
export const KEPT_INDEXES = ['lot_sites_lot', 'lot_lineage_child'];

/** A dropped index: its name and the statement that creates it again. */
export interface DeferredIndex {
  name: string;
  definition: string;
}

/** Drops the secondary indexes of the pool's schema (first on its search_path); returns how to recreate them. */
export async function deferIndexes(pool: Pool): Promise<DeferredIndex[]> {
  const r = await pool.query<{ name: string; definition: string }>(
    `
    SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition
      FROM pg_index x
      JOIN pg_class i ON i.oid = x.indexrelid
      JOIN pg_class t ON t.oid = x.indrelid
     WHERE t.relnamespace = current_schema()::regnamespace
       AND NOT t.relispartition
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
       AND i.relname <> ALL ($1::text[])
     ORDER BY i.relname`,
    [KEPT_INDEXES],
  );
  for (const ix of r.rows) await pool.query(`DROP INDEX ${quoteIdent(ix.name)}`);
  return r.rows;
}

/**
 * Creates the deferred indexes again, `parallel` at a time (each on its own
 * connection). Each connection sorts with `maintenanceWorkMem` (PostgreSQL's
 * default of 64MB spills the larger GIN indexes to disk).
 */
export async function restoreIndexes(pool: Pool, indexes: DeferredIndex[], parallel = 2, maintenanceWorkMem = '256MB'): Promise<void> {
  const queue = [...indexes];
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(parallel, queue.length)) }, async () => {
      const client = await pool.connect();
      try {
        await client.query(`SET maintenance_work_mem = '${maintenanceWorkMem.replace(/'/g, '')}'`);
        // pg_get_indexdef writes a partitioned table's index as ON ONLY (the parent alone);
        // without ONLY, PostgreSQL creates it on every partition too, as the migration did.
        for (let ix = queue.shift(); ix; ix = queue.shift()) await client.query(ix.definition.replace(/ ON ONLY /, ' ON '));
        await client.query('RESET maintenance_work_mem');
      } finally {
        client.release();
      }
    }),
  );
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
