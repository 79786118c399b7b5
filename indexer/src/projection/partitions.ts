/**
 * The monthly partitions of stock_movements: created on demand inside the
 * transaction that first writes into a month, remembered once it commits.
 */
import type { PoolClient } from 'pg';

export interface Partitions {
  /** Creates the partitions of `months` not known to exist; returns the months it created (to remember after commit). */
  ensure(client: PoolClient, months: Set<string>): Promise<string[]>;
  /** Remembers months whose partitions were committed. */
  remember(months: readonly string[]): void;
}

export function createPartitions(): Partitions {
  const partitions = new Set<string>();
  return {
    async ensure(client, months) {
      const created: string[] = [];
      for (const month of months) {
        if (partitions.has(month)) continue;
        const [y, m] = month.split('-').map(Number);
        const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
        const name = `stock_movements_${y}_${String(m).padStart(2, '0')}`;
        await client.query(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF stock_movements FOR VALUES FROM ('${month}') TO ('${next}')`);
        created.push(month);
      }
      return created;
    },
    remember(months) {
      for (const m of months) partitions.add(m);
    },
  };
}
