/**
 * Whether the submitting identity is an organisation admin, as Fabric's
 * NodeOUs classify it: the certificate's subject carries the admin
 * organisational unit (OU, OID 2.5.4.11), or a Fabric CA certificate's
 * `hf.Type` attribute says `admin`. Both are signed by the member's CA.
 *
 * The certificate is parsed, not the `getID()` string: that string joins the
 * subject's attributes with `/` and escapes only the first `/` of a value, so
 * a common name such as `x/y/OU=admin` would read as an admin there.
 */
import { X509Certificate } from 'node:crypto';
import type { Context } from 'fabric-contract-api';

/** The organisational unit NodeOUs assign to admin certificates. */
export const ADMIN_OU = 'admin';

/** The OU values of a PEM certificate's subject, read from its parsed attributes. */
export function subjectOrganizationalUnits(pem: string): string[] {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    return [];
  }
  // toLegacyObject() lists the subject's attributes one by one (an array when repeated), parsed from DER.
  const ou = (cert.toLegacyObject().subject as unknown as Record<string, string | string[] | undefined>).OU;
  return ou === undefined ? [] : Array.isArray(ou) ? ou : [ou];
}

/** True when the submitting certificate is an admin certificate of its MSP (NodeOU `admin`). */
export function isAdminIdentity(ctx: Context): boolean {
  const id = ctx.clientIdentity;
  if (id.getAttributeValue('hf.Type') === ADMIN_OU) return true;
  const pem = Buffer.from(id.getIDBytes()).toString('utf8');
  return subjectOrganizationalUnits(pem).includes(ADMIN_OU);
}
