/**
 * Bootstrap of the devnet's consortium registry: right after the chaincode is
 * committed, the retailer's admin submits InitConsortium listing every
 * organisation with its roles; the retailer and the auditor govern, so a
 * change needs both. Later changes are proposals approved by a majority of
 * the governing organisations' admins, like on any network
 * (network/src/consortium-governance.ts, docs/connect-your-network.md).
 */
import { connectDevnet } from './connect-devnet';
import type { DevnetInfo } from './devnet-info';
import { CONSORTIUM, CONTRACT } from '../../lib/domain/src';
import { governDevnet } from './consortium-governance';

/**
 * Roles, display names and GS1 company prefixes of the default devnet's
 * organisations; the retailer and the auditor govern. The demo's master data lies in 7611
 * (supplier) and 7612 (retailer); the auditor holds 7619 for when governance grants it a trading role; the supplier also holds the prefixes of
 * GS1's published EPCIS examples (0614141, 4012345, …), which the devnet
 * captures as the supplier.
 */
export const DEVNET_MEMBERS: Record<string, { displayName: string; roles: string[]; gs1Prefixes: string[] }> = {
  RetailerMSP: { displayName: 'Coffee retailer', roles: ['retailer', 'governance'], gs1Prefixes: ['7612', '7613'] },
  SupplierMSP: {
    displayName: 'Coffee supplier',
    roles: ['supplier'],
    gs1Prefixes: ['0012345', '0037000', '0614141', '4012345', '4023333', '7610', '7611', '9506000', '952001', '9520053', '9524567', '9529999'],
  },
  AuditorMSP: { displayName: 'Independent auditor', roles: ['auditor', 'governance'], gs1Prefixes: ['7619'] },
};

/** A devnet member's entry in the consortium registry. */
export interface DevnetMember {
  mspId: string;
  displayName: string;
  roles: string[];
  gs1Prefixes: string[];
}

/**
 * The GS1 company prefix of an organisation added to the devnet: `769` and
 * four digits derived from its MSP id, so it is the same on every run and
 * lies apart from the default organisations' prefixes.
 */
export function addedOrgPrefix(mspId: string): string {
  let h = 0;
  for (const ch of mspId) h = (h * 31 + ch.charCodeAt(0)) % 10_000;
  return `769${String(h).padStart(4, '0')}`;
}

/** The registry entry of a devnet organisation: the defaults above, else its topology role (supplier2 → "Coffee supplier 2"). */
export function devnetMember(org: { mspId: string; role?: string }): DevnetMember {
  const known = DEVNET_MEMBERS[org.mspId];
  if (known) return { mspId: org.mspId, ...known, roles: [...known.roles], gs1Prefixes: [...known.gs1Prefixes] };
  const role = org.role ?? 'supplier';
  const name = org.mspId.replace(/MSP$/, '');
  const suffix = name.match(/\d+$/)?.[0];
  const label = role === 'carrier' ? 'Carrier' : role === 'supplier' ? 'Coffee supplier' : name;
  const gs1Prefixes = role === 'auditor' ? [] : [addedOrgPrefix(org.mspId)];
  return { mspId: org.mspId, displayName: suffix ? `${label} ${suffix}` : label === name ? name : `${label} ${name}`, roles: [role], gs1Prefixes };
}

/**
 * Seeds the registry unless it already has members; returns whether it wrote.
 * A registry seeded before members held GS1 company prefixes gets the devnet's
 * prefixes for the members that have none, each by a `set-prefixes`
 * proposal the governing organisations approve.
 */
export async function seedConsortium(info: DevnetInfo, log: (m: string) => void = () => undefined): Promise<boolean> {
  const governor = info.orgs.find((o) => DEVNET_MEMBERS[o.mspId]?.roles.includes('governance')) ?? info.orgs[0];
  const admin = await connectDevnet(info, governor.mspId, 'admin');
  try {
    const current = JSON.parse((await admin.evaluate({ contract: CONTRACT.consortium, fn: CONSORTIUM.GetMembers })).toString('utf8')) as {
      members: Array<{ mspId: string; roles: string[]; gs1Prefixes?: string[] }>;
    };
    if (current.members.length > 0) {
      for (const m of current.members.filter((e) => e.gs1Prefixes === undefined)) {
        const gs1Prefixes = devnetMember({ mspId: m.mspId, role: m.roles.find((r) => r !== 'governance') }).gs1Prefixes;
        if (gs1Prefixes.length === 0) continue;
        await governDevnet(info, { kind: 'set-prefixes', mspId: m.mspId, gs1Prefixes }, log);
        log(`consortium registry: ${m.mspId} given GS1 company prefixes ${gs1Prefixes.join(', ')}`);
      }
      return false;
    }
    const members = info.orgs.map(devnetMember);
    if (governor === info.orgs[0] && !DEVNET_MEMBERS[governor.mspId]) members[0].roles = [...members[0].roles, 'governance'];
    await admin.submit({ contract: CONTRACT.consortium, fn: CONSORTIUM.InitConsortium, args: [JSON.stringify({ members })] });
    log(`consortium registry seeded: ${members.map((m) => `${m.mspId} (${m.roles.join(', ')})`).join('; ')}`);
    return true;
  } finally {
    admin.close();
  }
}
