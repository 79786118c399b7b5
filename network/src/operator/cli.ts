/**
 * `network chaincode <package|deploy|status|upgrade>`: the chaincode lifecycle
 * on any running channel, driven by a network file (operator/network-file.ts)
 * and Fabric's peer CLI. See docs/chaincode-operations.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { fabricSampleConfigDir } from '../binaries';
import { loadDevnetConfig } from '../config';
import { actingAdmins, readNetworkFile } from './network-file';
import type { FabricTools } from './peer-cli';
import { bootstrapRegistry, parseMembers } from './registry-bootstrap';
import { deploy, packageOf, upgrade, type ReleaseSpec, type RolloutResult } from './rollout';
import { formatStatus, lifecycleStatus } from './status';

export const CHAINCODE_USAGE =
  'usage: network chaincode package --version V --address HOST:PORT [--name N] [--label L] [--work-dir DIR]\n' +
  '       network chaincode deploy  --network FILE --version V --address HOST:PORT [--members FILE] [--admins MSP,MSP]\n' +
  '       network chaincode upgrade --network FILE --version V --address HOST:PORT [--admins MSP,MSP]\n' +
  '       network chaincode status  --network FILE [--version V] [--admins MSP,MSP]\n' +
  '  common: [--name traceability] [--label NAME_VERSION] [--policy /Channel/Application/Endorsement]\n' +
  '          [--work-dir DIR] [--bin-dir DIR] [--config-dir DIR] [--json]';

const OPTIONS = {
  network: { type: 'string' },
  admins: { type: 'string' },
  name: { type: 'string', default: 'traceability' },
  version: { type: 'string' },
  label: { type: 'string' },
  address: { type: 'string' },
  policy: { type: 'string' },
  members: { type: 'string' },
  'work-dir': { type: 'string' },
  'bin-dir': { type: 'string' },
  'config-dir': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function need(values: Values, key: 'network' | 'version' | 'address', command: string): string {
  const v = values[key];
  if (typeof v !== 'string' || v === '') throw new Error(`chaincode ${command} needs --${key}\n${CHAINCODE_USAGE}`);
  if (key === 'address' && !/^[^\s:/]+:\d{1,5}$/.test(v))
    throw new Error(`--address must be host:port (where the peers reach the chaincode server), got "${v}"`);
  if (key === 'version' && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(v))
    throw new Error(`--version must be letters, digits, dots, dashes or underscores, got "${v}"`);
  return v;
}

async function tools(values: Values): Promise<FabricTools> {
  const devnet = loadDevnetConfig();
  const configDir = values['config-dir'] ?? process.env.FABRIC_CFG_PATH ?? (await fabricSampleConfigDir(devnet.root));
  if (!fs.existsSync(path.join(configDir, 'core.yaml'))) throw new Error(`--config-dir: ${configDir} holds no core.yaml`);
  const binDir = values['bin-dir'] ?? devnet.binDir;
  if (!fs.existsSync(path.join(binDir, 'peer'))) throw new Error(`--bin-dir: no peer binary in ${binDir}`);
  return { binDir, configDir };
}

function release(values: Values, command: string): ReleaseSpec {
  return {
    name: values.name,
    version: need(values, 'version', command),
    address: need(values, 'address', command),
    ...(values.label ? { label: values.label } : {}),
    ...(values.policy ? { channelConfigPolicy: values.policy } : {}),
  };
}

function printRollout(r: RolloutResult, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(r, null, 2));
    return;
  }
  const d = r.definition;
  if (r.committed) console.log(`\n${d.name} ${d.version} is committed at sequence ${d.sequence}; package ${r.packageId}`);
  else {
    const yes = Object.values(r.approvals).filter(Boolean).length;
    console.log(`\n${d.name} ${d.version} at sequence ${d.sequence}: ${yes} of ${Object.keys(r.approvals).length} approvals, ${r.required} needed.`);
    console.log('Other organisations approve by running the same command with their admins (--admins); the one that completes the majority commits.');
  }
}

/** Runs a `network chaincode` command; resolves with the exit code. */
export async function chaincodeCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  const command = positionals[0];
  if (values.help || !command) {
    console.log(CHAINCODE_USAGE);
    return command ? 0 : 2;
  }
  const log = (m: string) => console.log(`[chaincode] ${m}`);
  if (command === 'package') {
    const spec = release(values, command);
    const { file, packageId } = await packageOf({ workDir: path.resolve(values['work-dir'] ?? 'chaincode-packages') }, spec);
    console.log(values.json ? JSON.stringify({ file, packageId }) : `${packageId}\n${file}`);
    return 0;
  }
  if (!['deploy', 'upgrade', 'status'].includes(command)) {
    console.error(`unknown chaincode command "${command}"\n${CHAINCODE_USAGE}`);
    return 2;
  }
  const net = readNetworkFile(need(values, 'network', command));
  const only = values.admins
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const admins = actingAdmins(net, only);
  const t = await tools(values);
  if (command === 'status') {
    const st = await lifecycleStatus(t, net, admins, { name: values.name, version: values.version, channelConfigPolicy: values.policy });
    console.log(values.json ? JSON.stringify(st, null, 2) : formatStatus(st).join('\n'));
    return 0;
  }
  const spec = release(values, command);
  const ctx = {
    tools: t,
    net,
    admins,
    workDir: path.resolve(values['work-dir'] ?? path.join(path.dirname(path.resolve(net.file)), 'chaincode-packages')),
    log,
  };
  if (command === 'upgrade') {
    printRollout(await upgrade(ctx, spec), values.json);
    return 0;
  }
  const members = values.members ? parseMembers(fs.readFileSync(values.members, 'utf8'), values.members) : undefined;
  const result = await deploy(ctx, spec);
  if (result.committed) {
    const endorsers = net.organizations.filter((o) => result.approvals[o.mspId]).map((o) => o.peer);
    if (members) {
      log(`waiting for the chaincode server of ${result.packageId} (CHAINCODE_ID) at ${spec.address} to seed the registry`);
      const wrote = await bootstrapRegistry(t, net, admins[0], { name: spec.name, members, endorsers });
      log(wrote ? `consortium registry seeded with ${members.map((m) => m.mspId).join(', ')}` : 'consortium registry already has members; left as is');
    } else log('no --members file: the consortium registry is not seeded');
  }
  printRollout(result, values.json);
  return 0;
}
