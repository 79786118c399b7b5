/**
 * Client identities from real X.509 certificates, read by fabric-shim's own
 * ClientIdentity, so the admin check sees what a peer would hand it.
 */
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { ClientIdentity } from 'fabric-shim';

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
type KeyPair = webcrypto.CryptoKeyPair;
let keys: Promise<KeyPair> | undefined;

/** A self-signed PEM certificate with the given subject (RFC 4514 string, e.g. `OU=admin, CN=Admin@org1`). */
export async function certificate(subject: string): Promise<string> {
  x509.cryptoProvider.set(webcrypto as never);
  keys ??= webcrypto.subtle.generateKey(alg, false, ['sign', 'verify']) as Promise<KeyPair>;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: subject,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 3600_000),
    signingAlgorithm: alg,
    keys: (await keys) as never,
  });
  return cert.toString('pem');
}

/** fabric-shim's ClientIdentity of `mspId` presenting `pem`. */
export function identityOf(mspId: string, pem: string): ClientIdentity {
  const stub = { getChannelID: () => 'supplychain', getTxID: () => 'tx', getCreator: () => ({ mspid: mspId, idBytes: Buffer.from(pem) }) };
  return new ClientIdentity(stub as never);
}
