/**
 * Fabric binaries built from the Go module proxy with the versions pinned in
 * network/go.mod (checked against network/go.sum), cached in an ignored folder.
 * Fabric CA has a module of its own (network/fabric-ca/go.mod): in one build
 * list with Fabric, its newer dependencies (x/crypto, grpc, fabric-lib-go)
 * would be chosen for the peer and orderer too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCommand } from './run-command';

/** The Fabric release the devnet runs; network/go.mod pins its commit. */
export const FABRIC_VERSION = '2.5.9';
export const FABRIC_COMMIT = '7c3876255bf0';
export const FABRIC_TOOLS = ['peer', 'orderer', 'configtxgen', 'configtxlator', 'cryptogen', 'osnadmin'] as const;
export type FabricTool = (typeof FABRIC_TOOLS)[number];

/** The Fabric CA release `network up --identities ca` runs; network/fabric-ca/go.mod pins it. */
export const FABRIC_CA_VERSION = '1.5.15';
export const FABRIC_CA_TOOLS = ['fabric-ca-server', 'fabric-ca-client'] as const;
export type FabricCaTool = (typeof FABRIC_CA_TOOLS)[number];

const FABRIC_MODULE = 'github.com/hyperledger/fabric';
const FABRIC_CA_MODULE = 'github.com/hyperledger/fabric-ca';
const escape = (s: string) => s.replace(/\./g, '\\.');

/** The version of `module` that the go.mod in `moduleDir` pins (default: Fabric in network/go.mod). */
export function pinnedModuleVersion(root: string, module = FABRIC_MODULE, moduleDir = 'network'): string {
  const gomod = fs.readFileSync(path.join(root, moduleDir, 'go.mod'), 'utf8');
  const m = new RegExp(`^\\s*(?:require\\s+)?${escape(module)}\\s+(\\S+)`, 'm').exec(gomod);
  if (!m) throw new Error(`${moduleDir}/go.mod does not require ${module}`);
  return m[1];
}

/**
 * The release a binary was built as: read from its Go build information, and
 * only when it was built from the pinned version of `module`.
 */
async function installedVersion(bin: string, module: string, moduleVersion: string): Promise<string | undefined> {
  if (!fs.existsSync(bin)) return undefined;
  try {
    const info = await runCommand('go', ['version', '-m', bin]);
    const mod = new RegExp(`\\s(?:mod|dep)\\s+${escape(module)}\\s+(\\S+)`).exec(info)?.[1];
    if (mod !== moduleVersion) return undefined;
    return /metadata\.Version=(\S+?)["\s]/.exec(info)?.[1];
  } catch {
    return undefined;
  }
}

/**
 * Makes sure every Fabric tool is in `binDir` at the pinned version, building
 * only the missing or mismatched ones. Returns the tools it built.
 */
export async function ensureBinaries(opts: { root: string; binDir: string; log?: (msg: string) => void }): Promise<FabricTool[]> {
  const log = opts.log ?? (() => undefined);
  const moduleVersion = pinnedModuleVersion(opts.root);
  const missing: FabricTool[] = [];
  for (const tool of FABRIC_TOOLS) {
    const v = await installedVersion(path.join(opts.binDir, tool), FABRIC_MODULE, moduleVersion);
    if (v !== FABRIC_VERSION) missing.push(tool);
  }
  if (missing.length === 0) return [];
  log(`building Fabric ${FABRIC_VERSION} (${missing.join(', ')}) with go install; this takes a few minutes the first time`);
  fs.mkdirSync(opts.binDir, { recursive: true });
  const ldflags = [`-X ${FABRIC_MODULE}/common/metadata.Version=${FABRIC_VERSION}`, `-X ${FABRIC_MODULE}/common/metadata.CommitSHA=${FABRIC_COMMIT}`].join(' ');
  await runCommand('go', ['install', '-ldflags', ldflags, ...missing.map((t) => `${FABRIC_MODULE}/cmd/${t}`)], {
    cwd: path.join(opts.root, 'network'),
    env: { ...process.env, GOBIN: opts.binDir, GOFLAGS: '-mod=readonly' },
    step: `go install of Fabric ${missing.join(', ')}`,
  });
  for (const tool of missing) {
    const v = await installedVersion(path.join(opts.binDir, tool), FABRIC_MODULE, moduleVersion);
    if (v !== FABRIC_VERSION) throw new Error(`${tool} reports version ${v ?? 'none'} after the build, expected ${FABRIC_VERSION}`);
  }
  return missing;
}

/**
 * Makes sure fabric-ca-server and fabric-ca-client are in `binDir` at the
 * pinned version, building them (cgo, for the CA's SQLite registry) only when
 * missing or mismatched. Only devnets with `identities: ca` and the user
 * commands need them. Returns the tools it built.
 */
export async function ensureCaBinaries(opts: { root: string; binDir: string; log?: (msg: string) => void }): Promise<FabricCaTool[]> {
  const log = opts.log ?? (() => undefined);
  const moduleDir = path.join('network', 'fabric-ca');
  const moduleVersion = pinnedModuleVersion(opts.root, FABRIC_CA_MODULE, moduleDir);
  const version = async (tool: FabricCaTool) => installedVersion(path.join(opts.binDir, tool), FABRIC_CA_MODULE, moduleVersion);
  const missing: FabricCaTool[] = [];
  for (const tool of FABRIC_CA_TOOLS) if ((await version(tool)) !== FABRIC_CA_VERSION) missing.push(tool);
  if (missing.length === 0) return [];
  log(`building Fabric CA ${FABRIC_CA_VERSION} (${missing.join(', ')}) with go install; this takes a few minutes the first time`);
  fs.mkdirSync(opts.binDir, { recursive: true });
  await runCommand(
    'go',
    ['install', '-ldflags', `-X ${FABRIC_CA_MODULE}/lib/metadata.Version=${FABRIC_CA_VERSION}`, ...missing.map((t) => `${FABRIC_CA_MODULE}/cmd/${t}`)],
    {
      cwd: path.join(opts.root, moduleDir),
      env: { ...process.env, GOBIN: opts.binDir, GOFLAGS: '-mod=readonly', CGO_ENABLED: '1' },
      step: `go install of Fabric CA ${missing.join(', ')}`,
    },
  );
  for (const tool of missing) {
    const v = await version(tool);
    if (v !== FABRIC_CA_VERSION) throw new Error(`${tool} reports version ${v ?? 'none'} after the build, expected ${FABRIC_CA_VERSION}`);
  }
  return missing;
}

/** Folder of Fabric's default configuration (sampleconfig) in the Go module cache. */
export async function fabricSampleConfigDir(root: string): Promise<string> {
  const cwd = path.join(root, 'network');
  const out = await runCommand('go', ['list', '-m', '-f', '{{.Dir}}', FABRIC_MODULE], {
    cwd,
    env: { ...process.env, GOFLAGS: '-mod=readonly' },
    step: 'locating Fabric in the Go module cache',
  });
  let dir = out.trim().split('\n').pop() ?? '';
  if (!dir || !fs.existsSync(path.join(dir, 'sampleconfig', 'core.yaml'))) {
    await runCommand('go', ['mod', 'download', FABRIC_MODULE], { cwd, step: 'downloading the Fabric module' });
    dir = (await runCommand('go', ['list', '-m', '-f', '{{.Dir}}', FABRIC_MODULE], { cwd })).trim();
  }
  return path.join(dir, 'sampleconfig');
}
