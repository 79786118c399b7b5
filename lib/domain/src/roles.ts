/**
 * Caller roles (DESIGN.md §6) and the principal a verified token yields.
 */

export const ROLES = ['supplier', 'retailer-ops', 'pos', 'sap', 'auditor', 'inventory-reader', 'finance', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as established by a verified JWT. */
export interface Principal {
  /** JWT `sub`; recorded on the ledger as the acting user. */
  sub: string;
  /** Roles granted by the token's `roles` claim (unknown names dropped). */
  roles: Role[];
  /** Rate-limit and idempotency scope: issuer + subject. */
  clientId: string;
  /**
   * The member organisation (MSP id) the token names in its organisation claim
   * (`AUTH_ORG_CLAIM`, default `org`); undefined when the token names none.
   */
  org?: string;
}

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

/** True when any of the principal's roles is allowed. */
export function hasAnyRole(p: Principal, allowed: readonly Role[]): boolean {
  return p.roles.some((r) => allowed.includes(r));
}
