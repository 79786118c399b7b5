/**
 * `network up | down [--wipe] | status | add-org <name> | remove-org <name> | serve-chaincode |
 * register-user | reenroll-user` for the native devnet, the operator commands of operations-cli.ts
 * (ledger snapshots, backups), and `network chaincode …` for any network (operator/cli.ts).
 * Options: --port-base N (or FABRIC_PORT_BASE), --run-dir DIR (or FABRIC_RUN_DIR);
 * for `up`, the topology: --topology FILE (JSON or YAML) or --suppliers N
 * --carriers N --orderers 1|3, and where nodes run: --address IP --host-of ORG=IP[@NETNS]
 * (docs/devnet.md, "Separate hosts"); where identities come from: --identities cryptogen|ca
 * (docs/fabric-ca.md, which also describes register-user and reenroll-user).
 */
import { parseArgs } from 'node:util';
import { loadDevnetConfig } from './config';
import { CHAINCODE_USAGE, chaincodeCommand } from './operator/cli';
import { OPERATIONS_OPTIONS, OPERATIONS_USAGE } from './operations-options';
import { serveChaincode } from './serve-chaincode';
import { parseTopology, readTopologyFile, storedTopology, type Topology } from './topology';

const USAGE =
  'usage: network <up|down|status|add-org|remove-org|register-user|reenroll-user|snapshot|join-from-snapshot|backup|restore|chaincode> [--wipe] [--port-base N] [--run-dir DIR]\n' +
  '       network up [--topology FILE | --suppliers N --carriers N --orderers 1|3 --identities cryptogen|ca] [--address IP --host-of ORG=IP[@NETNS] ...]\n' +
  '       network add-org <name> [--role supplier|carrier]\n' +
  '       network remove-org <name>\n' +
  '       network serve-chaincode --version V --port N [--name traceability]\n' +
  '       network register-user --org ORG --name NAME [--role client|admin] [--affiliation A]\n' +
  '       network reenroll-user --org ORG --name NAME\n' +
  '       network register-user --ca-url URL --ca-tls-cert FILE [--ca-name N] [--tls-ca-name N] --msp-id MSP --dir DIR\n' +
  '                             --registrar ID --registrar-secret-file FILE --name NAME [--role client|admin] [--affiliation A]\n' +
  '       network reenroll-user --ca-url URL --ca-tls-cert FILE [--ca-name N] [--tls-ca-name N] --msp-id MSP --dir DIR --name NAME\n' +
  OPERATIONS_USAGE +
  '\n' +
  CHAINCODE_USAGE.replace(/^usage: /, '       ');

/** The topology the options ask for, or undefined to keep the run folder's (or the default). */
function topologyFrom(values: Record<string, string | string[] | boolean | undefined>): Topology | undefined {
  if (typeof values.topology === 'string') return readTopologyFile(values.topology);
  const raw: Record<string, unknown> = {};
  for (const k of ['suppliers', 'carriers', 'orderers', 'address', 'identities']) if (typeof values[k] === 'string') raw[k] = values[k];
  const hostOf = Array.isArray(values['host-of']) ? values['host-of'] : [];
  if (hostOf.length) {
    const hosts: Record<string, { address: string; netns?: string }> = {};
    for (const h of hostOf) {
      const m = /^([^=]+)=([^@]+)(?:@(.+))?$/.exec(h);
      if (!m) throw new Error(`--host-of takes ORG=IP or ORG=IP@NETNS, got "${h}"`);
      hosts[m[1]] = { address: m[2], ...(m[3] ? { netns: m[3] } : {}) };
    }
    raw.hosts = hosts;
  }
  return Object.keys(raw).length ? parseTopology(raw) : undefined;
}

// Modules that load the Fabric SDKs are imported when a command needs them: fabric-common parses the
// command line when it loads (nconf) and answers --version itself, which `chaincode` and
// `serve-chaincode` take as an option.
const devnet = () => import('./devnet.js');

async function main(argv: string[]): Promise<number> {
  // The chaincode lifecycle works on any network and takes its own options.
  if (argv[0] === 'chaincode') return chaincodeCommand(argv.slice(1));
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      wipe: { type: 'boolean', default: false },
      'port-base': { type: 'string' },
      'run-dir': { type: 'string' },
      topology: { type: 'string' },
      suppliers: { type: 'string' },
      carriers: { type: 'string' },
      orderers: { type: 'string' },
      address: { type: 'string' },
      'host-of': { type: 'string', multiple: true },
      identities: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      version: { type: 'string' },
      port: { type: 'string' },
      affiliation: { type: 'string' },
      'msp-id': { type: 'string' },
      dir: { type: 'string' },
      'ca-url': { type: 'string' },
      'ca-tls-cert': { type: 'string' },
      'ca-name': { type: 'string' },
      'tls-ca-name': { type: 'string' },
      registrar: { type: 'string' },
      'registrar-secret-file': { type: 'string' },
      ...OPERATIONS_OPTIONS,
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const portBase = values['port-base'] === undefined ? undefined : Number(values['port-base']);
  const requested = topologyFrom(values);
  const probe = loadDevnetConfig({ portBase, runDir: values['run-dir'] });
  const kept = storedTopology(probe.runDir);
  if (
    requested &&
    kept &&
    JSON.stringify(requested) !== JSON.stringify({ ...kept, added: requested.added, removed: requested.removed, secondPeers: requested.secondPeers })
  ) {
    throw new Error(`${probe.runDir} holds a devnet of another topology (${JSON.stringify(kept)}); run "network down --wipe" first`);
  }
  const cfg = requested
    ? loadDevnetConfig({
        portBase,
        runDir: values['run-dir'],
        topology: {
          ...requested,
          added: kept?.added ?? [],
          ...(kept?.removed ? { removed: kept.removed } : {}),
          ...(kept?.secondPeers ? { secondPeers: kept.secondPeers } : {}),
        },
      })
    : probe;
  const log = (msg: string) => console.log(`[network] ${msg}`);
  switch (command) {
    case 'up': {
      const info = await (await devnet()).devnetUp(cfg, log);
      console.log(`\nchannel ${info.channel}, chaincode ${info.chaincode} (${info.packageId})`);
      for (const o of info.orderers ?? [{ name: 'orderer0', endpoint: info.orderer.endpoint }]) console.log(`${o.name.padEnd(12)}${o.endpoint}`);
      for (const o of info.orgs) console.log(`${o.mspId.padEnd(12)}${o.peerEndpoint}`);
      console.log(`state and logs: ${cfg.runDir}`);
      return 0;
    }
    case 'add-org': {
      const name = positionals[1];
      if (!name) throw new Error(`add-org needs the new organisation's name\n${USAGE}`);
      const role = values.role ?? 'supplier';
      if (role !== 'supplier' && role !== 'carrier') throw new Error(`--role must be supplier or carrier, got "${role}"`);
      const { org, configBlock, elapsedMs } = await (await import('./add-org.js')).addOrg(cfg, name, { role, log });
      console.log(
        `\n${org.mspId} (${role}) joined ${cfg.channel} by config block ${configBlock} in ${(elapsedMs / 1000).toFixed(1)} s; peer ${org.address}:${org.peerPort}`,
      );
      console.log(`connection files: ${cfg.runDir}/connection/${org.mspId}/`);
      return 0;
    }
    case 'remove-org': {
      const name = positionals[1];
      if (!name) throw new Error(`remove-org needs the organisation's name (e.g. supplier2)\n${USAGE}`);
      const { mspId, configBlock, signers, elapsedMs } = await (await import('./remove-org.js')).removeOrg(cfg, name, { log });
      console.log(
        `\n${mspId} removed from ${cfg.channel} by config block ${configBlock} (signed by ${signers.join(', ')}) in ${(elapsedMs / 1000).toFixed(1)} s`,
      );
      return 0;
    }
    case 'serve-chaincode': {
      if (!values.version || !values.port) throw new Error(`serve-chaincode needs --version and --port\n${USAGE}`);
      const served = await serveChaincode(cfg, { name: values.name ?? 'traceability', version: values.version, port: Number(values.port) });
      console.log(`${served.process} (pid ${served.pid}) serves ${served.packageId} at ${served.address}; "network down" stops it`);
      return 0;
    }
    case 'register-user':
    case 'reenroll-user': {
      const { runUserCommand } = await import('./fabric-ca/user-command.js');
      console.log(await runUserCommand(command, cfg, values, log));
      return 0;
    }
    case 'down': {
      const stopped = await (await devnet()).devnetDown(cfg, { wipe: values.wipe }, log);
      if (stopped.length === 0) log('no devnet process was running');
      return 0;
    }
    case 'status': {
      const st = (await devnet()).devnetStatus(cfg);
      console.log(`devnet port base ${cfg.portBase}: ${st.running ? 'running' : 'not running'} (${cfg.runDir})`);
      for (const p of st.processes) {
        console.log(`  ${p.name.padEnd(24)} ${p.alive ? `running  pid ${p.pid}` : 'stopped'}  log ${p.logFile}`);
      }
      return st.running ? 0 : 3;
    }
    case 'snapshot':
    case 'join-from-snapshot':
    case 'backup':
    case 'restore':
      return (await import('./operations-cli.js')).runOperation(command, cfg, values, log);
    default:
      console.error(`unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[network] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
