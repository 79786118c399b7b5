/**
 * The consortium registry's bootstrap after a first deploy: one admin submits
 * InitConsortium with every member and its roles, endorsed by the peers of
 * the organisations that approved the definition (a majority). The contract
 * refuses a second InitConsortium, so a registry that already has members is
 * left alone.
 */
import { CONSORTIUM, CONTRACT } from '../../../lib/domain/src';
import { withRetry } from '../../../lib/platform/src';
import { CommandError } from '../run-command';
import type { OperatorNetwork, TlsEndpoint } from './network-file';
import { jsonOutput, ordererFlags, peerAs, peerFlags, type AdminOrg, type FabricTools } from './peer-cli';

export interface RegistryMember {
  mspId: string;
  displayName: string;
  roles: string[];
  gs1Prefixes?: string[];
}

const call = (fn: string, args: string[]) => JSON.stringify({ function: `${CONTRACT.consortium}:${fn}`, Args: args });

/** The registry's members, read through `org`'s peer. Retries while the chaincode server is not reachable yet. */
export async function registryMembers(tools: FabricTools, net: OperatorNetwork, org: AdminOrg, name: string, deadlineMs = 60_000): Promise<RegistryMember[]> {
  const out = await withRetry(
    () =>
      peerAs(
        tools,
        org,
        ['chaincode', 'query', '--channelID', net.channel, '--name', name, '-c', call(CONSORTIUM.GetMembers, [])],
        `read the consortium registry through ${org.peer.endpoint}`,
      ),
    {
      deadlineMs,
      baseDelayMs: 500,
      maxDelayMs: 5_000,
      // The peer answers "connection refused" or "could not launch" until the chaincode server listens.
      retriable: (err) => err instanceof CommandError && /connect|launch|unavailable|refused|deadline/i.test(err.output),
    },
  );
  return jsonOutput<{ members: RegistryMember[] }>(out).members;
}

/** Seeds the registry with `members` unless it has members already; returns whether it wrote. */
export async function bootstrapRegistry(
  tools: FabricTools,
  net: OperatorNetwork,
  org: AdminOrg,
  opts: { name: string; members: RegistryMember[]; endorsers: TlsEndpoint[] },
): Promise<boolean> {
  const current = await registryMembers(tools, net, org, opts.name);
  if (current.length > 0) return false;
  await peerAs(
    tools,
    org,
    [
      'chaincode',
      'invoke',
      ...ordererFlags(net, org),
      '--channelID',
      net.channel,
      '--name',
      opts.name,
      ...peerFlags(opts.endorsers),
      '-c',
      call(CONSORTIUM.InitConsortium, [JSON.stringify({ members: opts.members })]),
      '--waitForEvent',
    ],
    `InitConsortium as ${org.mspId} admin`,
  );
  return true;
}

/** Reads a members file: `{"members": [{mspId, displayName, roles, gs1Prefixes?}, …]}` (InitConsortium's argument). */
export function parseMembers(text: string, file: string): RegistryMember[] {
  const doc = JSON.parse(text) as { members?: unknown };
  if (!Array.isArray(doc.members) || doc.members.length === 0) throw new Error(`${file}: members must list at least one organisation`);
  for (const [i, m] of (doc.members as RegistryMember[]).entries()) {
    if (typeof m?.mspId !== 'string' || !Array.isArray(m.roles)) throw new Error(`${file}: members[${i}] needs mspId and roles`);
  }
  return doc.members as RegistryMember[];
}
