/**
 * Table-by-table comparison of two schemas of the read model, by a hash over
 * every row (minus columns that differ by nature, like indexing times).
 */
import type { PoolClient } from 'pg';
import { checkSchemaName } from '../config';
import { COMPARED_TABLES } from '../projection/tables';

export interface TableComparison {
  table: string;
  rowsA: number;
  rowsB: number;
  equal: boolean;
}

async function tableHash(client: PoolClient, schema: string, table: string, excluded: string[]): Promise<{ hash: string; rows: number }> {
  const cols = await client.query<{ column_name: string }>(
    'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
    [schema, table],
  );
  const list = cols.rows.map((c) => c.column_name).filter((c) => !excluded.includes(c));
  if (list.length === 0) throw new Error(`table ${schema}.${table} not found`);
  const r = await client.query<{ h: string; n: string }>(
    `SELECT md5(coalesce(string_agg(x, E'\\n' ORDER BY x), '')) AS h, count(*) AS n
       FROM (SELECT ROW(${list.map((c) => `"${c}"`).join(', ')})::text AS x FROM ${schema}.${table}) s`,
  );
  return { hash: r.rows[0].h, rows: Number(r.rows[0].n) };
}

/** Compares every projected table of `a` and `b` on one connection (so one snapshot when in a transaction). */
export async function compareSchemas(client: PoolClient, a: string, b: string): Promise<TableComparison[]> {
  checkSchemaName(a);
  checkSchemaName(b);
  const out: TableComparison[] = [];
  for (const [table, excluded] of Object.entries(COMPARED_TABLES)) {
    const ha = await tableHash(client, a, table, excluded);
    const hb = await tableHash(client, b, table, excluded);
    out.push({ table, rowsA: ha.rows, rowsB: hb.rows, equal: ha.hash === hb.hash });
  }
  return out;
}
