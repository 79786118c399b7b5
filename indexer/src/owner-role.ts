/**
 * The owner's role checked at start against the consortium registry as the
 * read model holds it: an indexer set to `auditor` whose organisation the
 * registry lists without that role does not start (it would publish and serve
 * every member's facts for a member). Before the registry is projected there
 * is nothing to check against; the setting alone decides.
 */
import type { Pool } from 'pg';
import { ConfigError } from '../../lib/platform/src';
import type { IndexerConfig } from './config';

/** Throws a ConfigError naming INDEXER_OWNER_ROLE when the registry contradicts an `auditor` owner. */
export async function checkOwnerRole(pool: Pool, config: Pick<IndexerConfig, 'ownerRole' | 'ledger'>): Promise<void> {
  if (config.ownerRole !== 'auditor') return;
  const org = config.ledger.mspId;
  const r = await pool.query<{ roles: string[]; removed: boolean }>('SELECT roles, removed FROM consortium_members WHERE msp_id = $1', [org]);
  const entry = r.rows[0];
  if (!entry) return;
  if (entry.removed || !entry.roles.includes('auditor')) {
    throw new ConfigError(
      'INDEXER_OWNER_ROLE',
      `is auditor, but the consortium registry lists ${org} ${entry.removed ? 'as removed' : `with the roles ${entry.roles.join(', ') || '(none)'}`}; set it to member`,
    );
  }
}
