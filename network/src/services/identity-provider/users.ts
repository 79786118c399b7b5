/**
 * The people the devnet's identity provider signs in: each belongs to one
 * organisation (its MSP id) and holds roles. The built-in list has one user of
 * each devnet member; a JSON file can replace it.
 */
import { timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import { isRole, type Role } from '../../../../lib/domain/src';

export interface DevUser {
  /** Sign-in name and the token's `sub`. */
  sub: string;
  password: string;
  name: string;
  /** The organisation's MSP id. */
  org: string;
  roles: Role[];
}

/** Development users: their passwords are published, so this list is for a devnet on one machine only. */
export const DEFAULT_USERS: readonly DevUser[] = [
  { sub: 'sam@supplier', password: 'sam', name: 'Sam Supplier', org: 'SupplierMSP', roles: ['supplier', 'inventory-reader'] },
  { sub: 'rita@retailer', password: 'rita', name: 'Rita Retailer', org: 'RetailerMSP', roles: ['retailer-ops', 'inventory-reader'] },
  { sub: 'anna@auditor', password: 'anna', name: 'Anna Auditor', org: 'AuditorMSP', roles: ['auditor'] },
];

const ORG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const SUB = /^[\x21-\x7e]{1,256}$/;

/** Reads a users file: a JSON array of {sub, password, name, org, roles}; names the entry and field at fault. */
export function loadUsers(file: string): DevUser[] {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(raw) || raw.length === 0) throw new Error(`${file}: expected a non-empty JSON array of users`);
  return raw.map((u: Record<string, unknown>, i) => {
    const where = `${file}: user ${i}`;
    if (typeof u.sub !== 'string' || !SUB.test(u.sub)) throw new Error(`${where}: sub must be 1-256 printable characters`);
    if (typeof u.password !== 'string' || !u.password) throw new Error(`${where}: password is required`);
    if (typeof u.org !== 'string' || !ORG.test(u.org)) throw new Error(`${where}: org must be an MSP id`);
    if (!Array.isArray(u.roles) || !u.roles.every(isRole)) throw new Error(`${where}: roles must be known roles`);
    return { sub: u.sub, password: u.password, name: typeof u.name === 'string' ? u.name : u.sub, org: u.org, roles: u.roles as Role[] };
  });
}

/** The user whose name and password these are, compared in constant time. */
export function checkPassword(users: readonly DevUser[], sub: string, password: string): DevUser | undefined {
  const user = users.find((u) => u.sub === sub);
  if (!user) return undefined;
  const a = Buffer.from(user.password);
  const b = Buffer.from(password);
  return a.length === b.length && timingSafeEqual(a, b) ? user : undefined;
}
