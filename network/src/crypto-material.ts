/**
 * Crypto material for the devnet: cryptogen with NodeOUs, TLS certificates that
 * name localhost (every node is reached on loopback) and, when the topology
 * gives addresses, the address each node is reached at, so that clients check
 * the host they dial against the certificate.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import type { DevnetConfig } from './config';
import { cryptoDir } from './paths';
import { runCommand } from './run-command';

const LOOPBACK = ['localhost', '127.0.0.1'];
const sans = (address: string) => (LOOPBACK.includes(address) ? LOOPBACK : [...LOOPBACK, address]);

/** The cryptogen input for this devnet. */
export function cryptoConfig(cfg: DevnetConfig): unknown {
  return {
    OrdererOrgs: [
      {
        Name: 'Orderer',
        Domain: cfg.orderer.domain,
        EnableNodeOUs: true,
        Specs: cfg.orderers.map((o) => ({ Hostname: o.host.split('.')[0], SANS: sans(o.address) })),
      },
    ],
    PeerOrgs: cfg.orgs.map((o) => ({
      Name: o.mspId.replace(/MSP$/, ''),
      Domain: o.domain,
      EnableNodeOUs: true,
      // A second peer (peer1) for organisations that run one.
      Template: { Count: cfg.topology.secondPeers?.includes(o.name) ? 2 : 1, SANS: sans(o.address) },
      // User1 is the org's application identity (gateway, indexer).
      Users: { Count: 1 },
    })),
  };
}

/** Adds what the configuration asks for and the material lacks (new organisations, second peers); keeps the rest. */
export async function extendCryptoMaterial(cfg: DevnetConfig): Promise<void> {
  const file = path.join(cfg.runDir, 'crypto-config.yaml');
  fs.writeFileSync(file, YAML.stringify(cryptoConfig(cfg)));
  await runCommand(path.join(cfg.binDir, 'cryptogen'), ['extend', `--config=${file}`, `--input=${cryptoDir(cfg)}`], { step: 'cryptogen extend' });
}

/** Generates the material unless it is already there. Returns true when it generated. */
export async function ensureCryptoMaterial(cfg: DevnetConfig): Promise<boolean> {
  const dir = cryptoDir(cfg);
  if (fs.existsSync(path.join(dir, 'peerOrganizations'))) return false;
  fs.mkdirSync(cfg.runDir, { recursive: true });
  const configFile = path.join(cfg.runDir, 'crypto-config.yaml');
  fs.writeFileSync(configFile, YAML.stringify(cryptoConfig(cfg)));
  await runCommand(path.join(cfg.binDir, 'cryptogen'), ['generate', `--config=${configFile}`, `--output=${dir}`], {
    step: 'cryptogen generate',
  });
  return true;
}
