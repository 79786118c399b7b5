/**
 * PostgreSQL connections of the indexer: every connection works inside the
 * configured schema (search_path), so a rebuild can use a second schema with
 * the same SQL.
 */
import { Pool } from 'pg';
import { checkSchemaName } from '../config';

/** Options for {@link createPool}. */
export interface PoolOptions {
  connectionString: string;
  schema: string;
  max?: number;
  applicationName?: string;
  /**
   * false: commits return before their WAL is flushed. Only for loads that are
   * redone from their checkpoint anyway (rebuild); a crash loses the last
   * commits, never consistency. The live indexer keeps it on: Kafka must never
   * hold a row that PostgreSQL could lose.
   */
  synchronousCommit?: boolean;
  /**
   * Server-side limit on every statement, ms (PostgreSQL's statement_timeout);
   * the query API's pool sets it so no caller can hold a connection for long.
   * Unset: no limit (indexing and rebuilds).
   */
  statementTimeoutMs?: number;
  /** How long a query waits for a free connection before failing, ms; unset: it waits. */
  connectionTimeoutMs?: number;
}

/** A pool whose connections use `schema` first in their search_path. */
export function createPool(opts: PoolOptions): Pool {
  const schema = checkSchemaName(opts.schema);
  const pool = new Pool({
    connectionString: opts.connectionString,
    max: opts.max ?? 8,
    application_name: opts.applicationName ?? 'indexer',
    connectionTimeoutMillis: opts.connectionTimeoutMs,
    options:
      `-c search_path=${schema},public` +
      (opts.synchronousCommit === false ? ' -c synchronous_commit=off' : '') +
      (opts.statementTimeoutMs ? ` -c statement_timeout=${Math.floor(opts.statementTimeoutMs)}` : ''),
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  return pool;
}
