/**
 * Collects the rows a block (or a run of blocks) produces and writes them per
 * table: append-only tables with one COPY; tables that upsert or skip
 * duplicates with a multi-row INSERT when the rows are few (a live block), and
 * when they are many (a catch-up or rebuild batch) with a COPY into a
 * temporary staging table and one INSERT ... SELECT ... ON CONFLICT from it:
 * the server then parses no statement with tens of thousands of parameters.
 * Many rows of a duplicate-skipping table (the outbox above all) are first
 * COPYed straight in, and staged only when one of them is already there.
 * Replaying a block costs a handful of round trips instead of one per row,
 * which is what makes rebuilds fast.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { escapeLiteral, type PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** How rows of one table are written. */
export interface TableSpec {
  table: string;
  columns: readonly string[];
  /** Primary key columns: rows with the same key within one block collapse to the last one. */
  key: readonly string[];
  /** `update`: upsert (last version wins); `nothing`: keep the existing row; `error`: plain insert (written with COPY). */
  onConflict: 'update' | 'nothing' | 'error';
}

/** PostgreSQL accepts at most 65535 bind parameters per statement. */
const MAX_PARAMS = 60_000;

/** Options of a {@link RowBuffer}. */
export interface RowBufferOptions {
  /**
   * An upserting or duplicate-skipping table with at least this many rows is
   * written through a staging table (COPY + INSERT ... SELECT) instead of
   * multi-row INSERTs. Default 200.
   */
  stageFrom?: number;
}

/** Rows per table for one block, written in the order tables were first used. */
export class RowBuffer {
  /** Upserted tables' rows by key (the last version wins); every other table's rows in order. */
  private readonly tables = new Map<TableSpec, Map<string, unknown[]> | unknown[][]>();
  private readonly stageFrom: number;

  constructor(opts: RowBufferOptions = {}) {
    this.stageFrom = Math.max(1, opts.stageFrom ?? 200);
  }

  /** Adds a row (values in `spec.columns` order). */
  add(spec: TableSpec, row: unknown[]): void {
    if (row.length !== spec.columns.length) throw new Error(`${spec.table}: ${row.length} values for ${spec.columns.length} columns`);
    let rows = this.tables.get(spec);
    if (!rows) {
      rows = spec.onConflict === 'update' ? new Map() : [];
      this.tables.set(spec, rows);
    }
    if (Array.isArray(rows)) {
      rows.push(row);
      return;
    }
    // Upserts collapse by key (ON CONFLICT DO UPDATE may not touch a row twice in one statement).
    const id = spec.key.map((k) => String(row[spec.columns.indexOf(k)])).join('\u0000');
    rows.delete(id);
    rows.set(id, row);
  }

  /** Number of buffered rows of one table. */
  count(spec: TableSpec): number {
    const rows = this.tables.get(spec);
    return rows === undefined ? 0 : Array.isArray(rows) ? rows.length : rows.size;
  }

  /** Moves the rows of `specs` into a buffer of their own (written elsewhere). */
  take(specs: readonly TableSpec[]): RowBuffer {
    const out = new RowBuffer({ stageFrom: this.stageFrom });
    for (const spec of specs) {
      const rows = this.tables.get(spec);
      if (!rows) continue;
      out.tables.set(spec, rows);
      this.tables.delete(spec);
    }
    return out;
  }

  /** Number of buffered rows in all tables. */
  size(): number {
    let n = 0;
    for (const spec of this.tables.keys()) n += this.count(spec);
    return n;
  }

  /**
   * Every buffered row as INSERT statements with literal values, separated by
   * semicolons (tables in `order` first), and clears the buffer. For a small
   * batch: sent together with the statements around it as one simple query,
   * the whole write is one round trip instead of a few per table. Values are
   * written in the text forms COPY uses, so the stored rows are the same.
   */
  toSql(order: readonly TableSpec[] = []): string {
    const statements: string[] = [];
    for (const spec of this.ordered(order)) {
      const values = this.rowsOf(spec).map((row) => `(${row.map(literalValue).join(', ')})`);
      statements.push(`INSERT INTO ${spec.table} (${spec.columns.join(', ')}) VALUES ${values.join(', ')}${conflictClause(spec)}`);
    }
    this.tables.clear();
    return statements.join(';\n');
  }

  private rowsOf(spec: TableSpec): unknown[][] {
    const rows = this.tables.get(spec)!;
    return Array.isArray(rows) ? rows : [...rows.values()];
  }

  private ordered(order: readonly TableSpec[]): TableSpec[] {
    return [...order.filter((s) => this.tables.has(s)), ...[...this.tables.keys()].filter((s) => !order.includes(s))];
  }

  /** Writes every buffered row, tables in `order` first (for foreign keys), then the rest. */
  async flush(client: PoolClient, order: readonly TableSpec[] = []): Promise<void> {
    for (const spec of this.ordered(order)) {
      const rows = this.rowsOf(spec);
      if (spec.onConflict === 'error') {
        await copyRows(client, spec, spec.table, rows);
        continue;
      }
      if (rows.length >= this.stageFrom) {
        if (spec.onConflict === 'nothing' && (await copyUnlessDuplicate(client, spec, rows))) continue;
        await stageRows(client, spec, rows);
        continue;
      }
      const perStatement = Math.max(1, Math.floor(MAX_PARAMS / spec.columns.length));
      for (let i = 0; i < rows.length; i += perStatement) {
        const chunk = rows.slice(i, i + perStatement);
        await client.query(insertSql(spec, chunk.length), chunk.flat());
      }
    }
    this.tables.clear();
  }
}

function insertSql(spec: TableSpec, rows: number): string {
  const n = spec.columns.length;
  const values: string[] = [];
  for (let r = 0; r < rows; r++) values.push(`(${spec.columns.map((_, c) => `$${r * n + c + 1}`).join(', ')})`);
  return `INSERT INTO ${spec.table} (${spec.columns.join(', ')}) VALUES ${values.join(', ')}${conflictClause(spec)}`;
}

function conflictClause(spec: TableSpec): string {
  let sql = '';
  if (spec.onConflict === 'nothing') sql += ' ON CONFLICT DO NOTHING';
  if (spec.onConflict === 'update') {
    const rest = spec.columns.filter((c) => !spec.key.includes(c));
    sql += ` ON CONFLICT (${spec.key.join(', ')}) DO ${rest.length ? `UPDATE SET ${rest.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}` : 'NOTHING'}`;
  }
  return sql;
}

/** Rows per chunk of COPY text handed to the stream. */
const COPY_CHUNK_ROWS = 2000;

/**
 * Many rows of an upserting or duplicate-skipping table: COPY into a
 * temporary table of the same column types (one per connection and table,
 * emptied first), then one INSERT ... SELECT with the table's ON CONFLICT
 * clause. A temporary table is read by its own backend only and never with a
 * synchronised or parallel scan, so the SELECT returns rows in the order COPY
 * wrote them: outbox ids and "first row wins" come out as with INSERTs.
 */
async function stageRows(client: PoolClient, spec: TableSpec, rows: unknown[][]): Promise<void> {
  const cols = spec.columns.join(', ');
  const stage = `pg_temp.stage_${spec.table}`;
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS stage_${spec.table} AS SELECT ${cols} FROM ${spec.table} WITH NO DATA; TRUNCATE ${stage}`);
  await copyRows(client, spec, stage, rows);
  await client.query(`INSERT INTO ${spec.table} (${cols}) SELECT ${cols} FROM ${stage}${conflictClause(spec)}`);
}

/**
 * Many rows of a duplicate-skipping table (the outbox, lineage links): most
 * batches hold no row the table already has, so they are COPYed straight in
 * under a savepoint. A duplicate key rolls the savepoint back (returns false)
 * and the caller stages the rows instead, which skips the duplicates.
 */
async function copyUnlessDuplicate(client: PoolClient, spec: TableSpec, rows: unknown[][]): Promise<boolean> {
  // Outside a transaction block the COPY is a statement of its own: a failed one left nothing behind.
  const savepoint = await client.query('SAVEPOINT copy_rows').then(
    () => true,
    (err: { code?: string }) => {
      if (err.code === NO_ACTIVE_TRANSACTION) return false;
      throw err;
    },
  );
  try {
    await copyRows(client, spec, spec.table, rows);
  } catch (err) {
    if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
    if (savepoint) await client.query('ROLLBACK TO SAVEPOINT copy_rows; RELEASE SAVEPOINT copy_rows');
    return false;
  }
  if (savepoint) await client.query('RELEASE SAVEPOINT copy_rows');
  return true;
}

const UNIQUE_VIOLATION = '23505';
const NO_ACTIVE_TRANSACTION = '25P01';

/** COPY ... FROM STDIN in text format: a duplicate key fails the whole statement, as a plain INSERT would. */
async function copyRows(client: PoolClient, spec: TableSpec, into: string, rows: unknown[][]): Promise<void> {
  const chunks = function* () {
    for (let i = 0; i < rows.length; i += COPY_CHUNK_ROWS) {
      let text = '';
      for (const row of rows.slice(i, i + COPY_CHUNK_ROWS)) text += `${row.map(copyValue).join('\t')}\n`;
      yield text;
    }
  };
  await pipeline(Readable.from(chunks()), client.query(copyFrom(`COPY ${into} (${spec.columns.join(', ')}) FROM STDIN`)));
}

const COPY_SPECIAL = /[\\\t\n\r]/;
/** Backslash, tab, newline and carriage return are escaped in COPY's text format (most values hold none). */
const escapeCopy = (s: string) =>
  COPY_SPECIAL.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : s;

/** An array literal element, quoted. */
const arrayElement = (v: unknown) => (v === null || v === undefined ? 'NULL' : `"${String(v).replace(/["\\]/g, (c) => `\\${c}`)}"`);

/** A value in PostgreSQL's text input form, as node-postgres converts query parameters; null for NULL. */
export function textValue(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return `\\x${v.toString('hex')}`;
  if (Array.isArray(v)) return `{${v.map(arrayElement).join(',')}}`;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** One value in COPY text format. */
export function copyValue(v: unknown): string {
  const t = textValue(v);
  return t === null ? '\\N' : escapeCopy(t);
}

/** One value as an SQL literal (untyped: PostgreSQL reads it with the column type's input, as COPY does). */
export function literalValue(v: unknown): string {
  const t = textValue(v);
  return t === null ? 'NULL' : escapeLiteral(t);
}
