/**
 * Projection of config blocks: which organisations (MSP ids) the channel's
 * configuration names after each config block, in the application and orderer
 * sections. An auditor asks "who was a member when this transaction committed"
 * of these rows.
 */
import * as fabricCommon from 'fabric-common';
import type { LedgerBlock, LedgerTransaction } from '../../../ledger/src';
import type { RowBuffer } from './row-buffer';
import { T } from './tables';

// fabric-common ships BlockDecoder without type declarations.
const { BlockDecoder } = fabricCommon as unknown as { BlockDecoder: { decode(raw: Buffer): any } };

/** One organisation of a channel configuration. */
export interface ConfigMember {
  mspId: string;
  section: 'application' | 'orderer';
  /** The organisation's group name in the configuration (usually its MSP id). */
  orgName: string;
}

/** The organisations a config block's configuration names. */
export function configMembers(raw: Buffer): ConfigMember[] {
  const config = BlockDecoder.decode(raw)?.data?.data?.[0]?.payload?.data?.config;
  if (!config) throw new Error('not a config block: no channel configuration in its first envelope');
  const out: ConfigMember[] = [];
  for (const [key, section] of [
    ['Application', 'application'],
    ['Orderer', 'orderer'],
  ] as const) {
    const groups = (config.channel_group?.groups?.[key]?.groups ?? {}) as Record<string, any>;
    for (const [orgName, group] of Object.entries(groups)) {
      const mspId = group?.values?.MSP?.value?.config?.name as string | undefined;
      out.push({ mspId: mspId ?? orgName, section, orgName });
    }
  }
  return out.sort((a, b) => a.section.localeCompare(b.section) || a.mspId.localeCompare(b.mspId));
}

/** Buffers the rows of a config block; `tx` is its (single) config transaction. */
export function projectConfigBlock(rows: RowBuffer, block: LedgerBlock, tx: LedgerTransaction): void {
  const bn = block.number.toString();
  const members = configMembers(block.raw);
  rows.add(T.channelConfigs, [bn, tx.txId || null, tx.timestamp || null, members.filter((m) => m.section === 'application').map((m) => m.mspId)]);
  for (const m of members) rows.add(T.channelMembers, [bn, m.mspId, m.section, m.orgName]);
}
