/**
 * The organisations a channel configuration names, in its application and
 * orderer sections, read from a config block.
 */
import * as fabricCommon from 'fabric-common';

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
