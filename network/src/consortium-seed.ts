/**
 * Bootstrap of the devnet's consortium registry: right after the chaincode is
 * committed, the retailer's admin submits InitConsortium listing every
 * organisation with its roles. Later changes go through SetMember and
 * RemoveMember like on any network (docs/connect-your-network.md).
 */
import { connectDevnet } from './connect-devnet';
import type { DevnetInfo } from './devnet-info';
import { CONSORTIUM, CONTRACT } from '../../lib/domain/src';

/** Roles and display names of the default devnet's organisations; the retailer governs. */
export const DEVNET_MEMBERS: Record<string, { displayName: string; roles: string[] }> = {
  RetailerMSP: { displayName: 'Coffee retailer', roles: ['retailer', 'governance'] },
  SupplierMSP: { displayName: 'Coffee supplier', roles: ['supplier'] },
  AuditorMSP: { displayName: 'Independent auditor', roles: ['auditor'] },
};

/** The registry entry of a devnet organisation: the defaults above, else its topology role (supplier2 → "Coffee supplier 2"). */
export function devnetMember(org: { mspId: string; role?: string }): { mspId: string; displayName: string; roles: string[] } {
  const known = DEVNET_MEMBERS[org.mspId];
  if (known) return { mspId: org.mspId, ...known, roles: [...known.roles] };
  const role = org.role ?? 'supplier';
  const name = org.mspId.replace(/MSP$/, '');
  const suffix = name.match(/\d+$/)?.[0];
  const label = role === 'carrier' ? 'Carrier' : role === 'supplier' ? 'Coffee supplier' : name;
  return { mspId: org.mspId, displayName: suffix ? `${label} ${suffix}` : label === name ? name : `${label} ${name}`, roles: [role] };
}

/** Seeds the registry unless it already has members; returns whether it wrote. */
export async function seedConsortium(info: DevnetInfo, log: (m: string) => void = () => undefined): Promise<boolean> {
  const governor = info.orgs.find((o) => DEVNET_MEMBERS[o.mspId]?.roles.includes('governance')) ?? info.orgs[0];
  const admin = await connectDevnet(info, governor.mspId, 'admin');
  try {
    const current = JSON.parse((await admin.evaluate({ contract: CONTRACT.consortium, fn: CONSORTIUM.GetMembers })).toString('utf8')) as { members: unknown[] };
    if (current.members.length > 0) return false;
    const members = info.orgs.map(devnetMember);
    if (governor === info.orgs[0] && !DEVNET_MEMBERS[governor.mspId]) members[0].roles = [...members[0].roles, 'governance'];
    await admin.submit({ contract: CONTRACT.consortium, fn: CONSORTIUM.InitConsortium, args: [JSON.stringify({ members })] });
    log(`consortium registry seeded: ${members.map((m) => `${m.mspId} (${m.roles.join(', ')})`).join('; ')}`);
    return true;
  } finally {
    admin.close();
  }
}
