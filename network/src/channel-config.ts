/**
 * The channel's configuration (configtx.yaml, written per devnet) and its
 * genesis block: Raft ordering (one or three nodes), the topology's peer orgs
 * with anchor peers, MAJORITY
 * endorsement, no system channel.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import type { DevnetConfig, PeerOrg } from './config';
import { ordererNodeDir, ordererOrgDir, orgDir, tlsFiles } from './paths';
import { runCommand } from './run-command';

const sig = (rule: string) => ({ Type: 'Signature', Rule: rule });
const meta = (rule: string) => ({ Type: 'ImplicitMeta', Rule: rule });

/** The configtx.yaml section of a peer organisation (MSP, policies, anchor peer). */
export function peerOrgSection(cfg: DevnetConfig, org: PeerOrg) {
  const m = org.mspId;
  return {
    Name: m,
    ID: m,
    MSPDir: path.join(orgDir(cfg, org), 'msp'),
    Policies: {
      Readers: sig(`OR('${m}.admin', '${m}.peer', '${m}.client')`),
      Writers: sig(`OR('${m}.admin', '${m}.client')`),
      Admins: sig(`OR('${m}.admin')`),
      Endorsement: sig(`OR('${m}.peer')`),
    },
    AnchorPeers: [{ Host: org.address, Port: org.peerPort }],
  };
}

/** The configtx.yaml document for this devnet. */
export function channelConfig(cfg: DevnetConfig): unknown {
  const o = cfg.orderer;
  const ordererOrg = {
    Name: o.mspId,
    ID: o.mspId,
    MSPDir: path.join(ordererOrgDir(cfg), 'msp'),
    Policies: {
      Readers: sig(`OR('${o.mspId}.member')`),
      Writers: sig(`OR('${o.mspId}.member')`),
      Admins: sig(`OR('${o.mspId}.admin')`),
    },
    OrdererEndpoints: cfg.orderers.map((n) => `${n.address}:${n.port}`),
  };
  return {
    Profiles: {
      SupplyChain: {
        Policies: {
          Readers: meta('ANY Readers'),
          Writers: meta('ANY Writers'),
          Admins: meta('MAJORITY Admins'),
        },
        Capabilities: { V2_0: true },
        Orderer: {
          OrdererType: 'etcdraft',
          Addresses: [],
          BatchTimeout: '100ms',
          BatchSize: { MaxMessageCount: 50, AbsoluteMaxBytes: '10 MB', PreferredMaxBytes: '2 MB' },
          EtcdRaft: {
            Consenters: cfg.orderers.map((n) => {
              const tls = tlsFiles(ordererNodeDir(cfg, n), 'server');
              return { Host: n.address, Port: n.port, ClientTLSCert: tls.cert, ServerTLSCert: tls.cert };
            }),
          },
          Organizations: [ordererOrg],
          Policies: {
            Readers: meta('ANY Readers'),
            Writers: meta('ANY Writers'),
            Admins: meta('MAJORITY Admins'),
            BlockValidation: meta('ANY Writers'),
          },
          Capabilities: { V2_0: true },
        },
        Application: {
          Organizations: cfg.orgs.map((org) => peerOrgSection(cfg, org)),
          Policies: {
            Readers: meta('ANY Readers'),
            Writers: meta('ANY Writers'),
            Admins: meta('MAJORITY Admins'),
            LifecycleEndorsement: meta('MAJORITY Endorsement'),
            Endorsement: meta('MAJORITY Endorsement'),
          },
          Capabilities: { V2_5: true },
        },
      },
    },
  };
}

/** Path of the channel's genesis block. */
export function genesisBlockPath(cfg: DevnetConfig): string {
  return path.join(cfg.runDir, 'channel', `${cfg.channel}.block`);
}

/** Writes configtx.yaml and creates the genesis block unless it exists. */
export async function ensureGenesisBlock(cfg: DevnetConfig): Promise<boolean> {
  const block = genesisBlockPath(cfg);
  if (fs.existsSync(block)) return false;
  const dir = path.dirname(block);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'configtx.yaml'), YAML.stringify(channelConfig(cfg)));
  await runCommand(path.join(cfg.binDir, 'configtxgen'), ['-profile', 'SupplyChain', '-outputBlock', block, '-channelID', cfg.channel, '-configPath', dir], {
    step: 'configtxgen genesis block',
  });
  return true;
}
