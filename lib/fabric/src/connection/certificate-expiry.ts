/**
 * When the certificates a client presents expire: the Fabric signing
 * identity's and, when configured, the client TLS certificate's. Services
 * export the seconds left as a metric, so an alert fires weeks before a peer
 * starts refusing the identity.
 */
import { X509Certificate } from 'node:crypto';

/** One certificate a client presents. */
export interface CertificateValidity {
  /** `identity` (signs transactions) or `client_tls` (mutual TLS to the peers). */
  kind: 'identity' | 'client_tls';
  subject: string;
  /** Hex serial number: tells a renewed certificate from the one it replaces. */
  serialNumber: string;
  notAfter: Date;
}

/** The validity of a PEM certificate. */
export function certificateValidity(kind: CertificateValidity['kind'], pem: string): CertificateValidity {
  const cert = new X509Certificate(pem);
  return { kind, subject: cert.subject.replace(/\n/g, ', '), serialNumber: cert.serialNumber, notAfter: new Date(cert.validTo) };
}

/** Seconds from `now` until the certificate expires (negative once it has). */
export function secondsUntilExpiry(c: CertificateValidity, now = Date.now()): number {
  return Math.floor((c.notAfter.getTime() - now) / 1000);
}
