/**
 * The channel's organisations and their CA certificates, read from a config
 * block: what an identity in a transaction must chain to.
 */
import { X509Certificate } from 'node:crypto';
import '../sdk-logger'; // before the SDK: it binds its loggers when it loads
import * as fabricCommon from 'fabric-common';

// fabric-common ships BlockDecoder without type declarations.
const { BlockDecoder } = fabricCommon as unknown as { BlockDecoder: { decode(raw: Buffer): any } };

export interface ChannelMsp {
  mspId: string;
  rootCerts: X509Certificate[];
  intermediateCerts: X509Certificate[];
}

export type ChannelMsps = Map<string, ChannelMsp>;

const certs = (list: unknown[] | undefined): X509Certificate[] => (list ?? []).map((c) => new X509Certificate(Buffer.from(c as Uint8Array)));

/** Every MSP of the channel (application and orderer orgs) from a raw config block. */
export function channelMspsFromConfigBlock(raw: Buffer): ChannelMsps {
  const block = BlockDecoder.decode(raw);
  const config = block?.data?.data?.[0]?.payload?.data?.config;
  if (!config) throw new Error('not a config block: no channel configuration in its first envelope');
  const out: ChannelMsps = new Map();
  for (const section of ['Application', 'Orderer']) {
    const groups = config.channel_group?.groups?.[section]?.groups ?? {};
    for (const org of Object.values<any>(groups)) {
      const msp = org?.values?.MSP?.value?.config;
      if (!msp?.name) continue;
      out.set(msp.name, { mspId: msp.name, rootCerts: certs(msp.root_certs), intermediateCerts: certs(msp.intermediate_certs) });
    }
  }
  if (out.size === 0) throw new Error('the config block names no MSP');
  return out;
}

/**
 * Checks that `pem` was issued by a CA of `mspId` (directly or through one of
 * its intermediate CAs) and was valid at `at`. Returns the reason it is not.
 */
export function certificateProblem(msps: ChannelMsps, mspId: string, pem: string, at: Date): string | undefined {
  const msp = msps.get(mspId);
  if (!msp) return `${mspId} is not an organisation of the channel`;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    return `the ${mspId} identity is not an X.509 certificate`;
  }
  if (at < new Date(cert.validFrom) || at > new Date(cert.validTo)) return `the ${mspId} certificate was not valid at ${at.toISOString()}`;
  const issuers = [...msp.intermediateCerts, ...msp.rootCerts];
  const issuer = issuers.find((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
  if (!issuer) return `the certificate does not chain to a CA of ${mspId}`;
  if (msp.intermediateCerts.includes(issuer) && !msp.rootCerts.some((root) => issuer.checkIssued(root) && issuer.verify(root.publicKey))) {
    return `the intermediate CA of ${mspId} does not chain to its root`;
  }
  return undefined;
}
