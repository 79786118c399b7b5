/**
 * Projection of config blocks: which organisations (MSP ids) the channel's
 * configuration names after each config block, in the application and orderer
 * sections. An auditor asks "who was a member when this transaction committed"
 * of these rows.
 */
import { configMembers, type LedgerBlock, type LedgerTransaction } from '../../../lib/fabric/src';
import type { RowBuffer } from './row-buffer';
import { T } from './tables';

/** Buffers the rows of a config block; `tx` is its (single) config transaction. */
export function projectConfigBlock(rows: RowBuffer, block: LedgerBlock, tx: LedgerTransaction): void {
  const bn = block.number.toString();
  const members = configMembers(block.raw);
  rows.add(T.channelConfigs, [bn, tx.txId || null, tx.timestamp || null, members.filter((m) => m.section === 'application').map((m) => m.mspId)]);
  for (const m of members) rows.add(T.channelMembers, [bn, m.mspId, m.section, m.orgName]);
}
