/**
 * Bootstrap of the devnet's consortium registry: right after the chaincode is
 * committed, the retailer's admin submits InitConsortium listing every
 * organisation with its roles. Later changes go through SetMember and
 * RemoveMember like on any network (docs/connect-your-network.md).
 */
import { connectDevnet } from './connect-devnet';
import type { DevnetInfo } from './devnet-info';

/** Roles and display names of the devnet's organisations; the retailer governs. */
export const DEVNET_MEMBERS: Record<string, { displayName: string; roles: string[] }> = {
  RetailerMSP: { displayName: 'Coffee retailer', roles: ['retailer', 'governance'] },
  SupplierMSP: { displayName: 'Coffee supplier', roles: ['supplier'] },
  AuditorMSP: { displayName: 'Independent auditor', roles: ['auditor'] },
};

/** Seeds the registry unless it already has members; returns whether it wrote. */
export async function seedConsortium(info: DevnetInfo, log: (m: string) => void = () => undefined): Promise<boolean> {
  const governor = info.orgs.find((o) => DEVNET_MEMBERS[o.mspId]?.roles.includes('governance')) ?? info.orgs[0];
  const admin = await connectDevnet(info, governor.mspId, 'admin');
  try {
    const current = JSON.parse((await admin.evaluate({ contract: 'consortium', fn: 'GetMembers' })).toString('utf8')) as { members: unknown[] };
    if (current.members.length > 0) return false;
    const members = info.orgs.map((o) => ({ mspId: o.mspId, ...(DEVNET_MEMBERS[o.mspId] ?? { displayName: o.mspId, roles: ['supplier'] }) }));
    if (governor === info.orgs[0] && !DEVNET_MEMBERS[governor.mspId]) members[0].roles = [...members[0].roles, 'governance'];
    await admin.submit({ contract: 'consortium', fn: 'InitConsortium', args: [JSON.stringify({ members })] });
    log(`consortium registry seeded: ${members.map((m) => `${m.mspId} (${m.roles.join(', ')})`).join('; ')}`);
    return true;
  } finally {
    admin.close();
  }
}
