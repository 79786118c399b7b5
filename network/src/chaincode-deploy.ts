/**
 * Deploys the traceability chaincode as a service: install the package on every
 * peer, start our chaincode server, approve for every org, commit. Each step is
 * skipped when already done, so a re-run is cheap.
 */
import * as path from 'node:path';
import { ordererArgs, peerAdmin } from './admin-cli';
import { buildCcaasPackage } from './chaincode-package';
import type { DevnetConfig } from './config';
import { orgTlsCa } from './paths';
import type { ProcessManager } from './processes';

export type Log = (msg: string) => void;

/** Name of the chaincode server process. */
export const CHAINCODE_PROCESS = 'chaincode-traceability';

async function isCommitted(cfg: DevnetConfig): Promise<boolean> {
  try {
    const out = await peerAdmin(
      cfg,
      cfg.orgs[0],
      ['lifecycle', 'chaincode', 'querycommitted', '--channelID', cfg.channel, '--name', cfg.chaincode.name, '--output', 'json'],
      'query committed chaincode',
    );
    // A later sequence (an upgrade made with `network chaincode upgrade`) counts as deployed too.
    return ((JSON.parse(out) as { sequence?: number }).sequence ?? 0) >= cfg.chaincode.sequence;
  } catch {
    return false;
  }
}

/**
 * Starts the chaincode server process for the given package id: by default the
 * devnet's own (process chaincode-traceability, port base + 400); `name` and
 * `port` start another one beside it, e.g. the server of an upgraded package.
 */
export function startChaincodeServer(cfg: DevnetConfig, pm: ProcessManager, packageId: string, opts: { name?: string; port?: number } = {}) {
  const port = opts.port ?? cfg.chaincode.port;
  return pm.start({
    name: opts.name ?? CHAINCODE_PROCESS,
    command: process.execPath,
    args: [path.join(cfg.root, 'dist', 'chaincode', 'src', 'devnet-server.js')],
    env: {
      ...process.env,
      CHAINCODE_ID: packageId,
      CHAINCODE_SERVER_ADDRESS: `${cfg.chaincode.listenAddress}:${port}`,
      // Per-transaction lines at info cost the server more than the contract's own work under load.
      CORE_CHAINCODE_LOGGING_LEVEL: 'warning',
    },
    cwd: cfg.root,
    health: { kind: 'tcp', host: cfg.chaincode.listenAddress, port },
  });
}

/** Installs, serves, approves and commits the chaincode. Returns the package id. */
export async function deployChaincode(cfg: DevnetConfig, pm: ProcessManager, log: Log): Promise<string> {
  const { file, packageId } = await buildCcaasPackage(cfg);
  for (const org of cfg.orgs) {
    const installed = await peerAdmin(cfg, org, ['lifecycle', 'chaincode', 'queryinstalled', '--output', 'json'], `query installed on ${org.peerHost}`);
    const ids = ((JSON.parse(installed || '{}') as { installed_chaincodes?: Array<{ package_id: string }> }).installed_chaincodes ?? []).map(
      (c) => c.package_id,
    );
    if (!ids.includes(packageId)) {
      log(`installing ${cfg.chaincode.label} on ${org.peerHost}`);
      await peerAdmin(cfg, org, ['lifecycle', 'chaincode', 'install', file], `install chaincode on ${org.peerHost}`);
    }
  }
  await startChaincodeServer(cfg, pm, packageId);
  if (await isCommitted(cfg)) return packageId;

  const common = [
    '--channelID',
    cfg.channel,
    '--name',
    cfg.chaincode.name,
    '--version',
    cfg.chaincode.version,
    '--sequence',
    String(cfg.chaincode.sequence),
    '--channel-config-policy',
    '/Channel/Application/Endorsement',
  ];
  for (const org of cfg.orgs) {
    log(`approving ${cfg.chaincode.name} for ${org.mspId}`);
    try {
      await peerAdmin(
        cfg,
        org,
        ['lifecycle', 'chaincode', 'approveformyorg', ...ordererArgs(cfg), ...common, '--package-id', packageId, '--waitForEvent'],
        `approve chaincode for ${org.mspId}`,
      );
    } catch (err) {
      // A re-run after a partial deploy finds the approval already there.
      if (!String(err).includes('attempted to redefine uncommitted sequence')) throw err;
    }
  }
  log(`committing ${cfg.chaincode.name} (endorsement policy: MAJORITY of ${cfg.orgs.length} orgs)`);
  const peers = cfg.orgs.flatMap((o) => ['--peerAddresses', `${o.address}:${o.peerPort}`, '--tlsRootCertFiles', orgTlsCa(cfg, o)]);
  await peerAdmin(
    cfg,
    cfg.orgs[0],
    ['lifecycle', 'chaincode', 'commit', ...ordererArgs(cfg), ...common, ...peers, '--waitForEvent'],
    'commit chaincode definition',
  );
  return packageId;
}
