/**
 * Fabric binaries built from the Go module proxy with the versions pinned in
 * network/go.mod (checked against network/go.sum), cached in an ignored folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCommand } from './run-command';

/** The Fabric release the devnet runs; network/go.mod pins its commit. */
export const FABRIC_VERSION = '2.5.9';
export const FABRIC_COMMIT = '7c3876255bf0';
export const FABRIC_TOOLS = ['peer', 'orderer', 'configtxgen', 'configtxlator', 'cryptogen', 'osnadmin'] as const;
export type FabricTool = (typeof FABRIC_TOOLS)[number];

const FABRIC_MODULE = 'github.com/hyperledger/fabric';

/** The Fabric module version network/go.mod pins. */
export function pinnedModuleVersion(root: string): string {
  const gomod = fs.readFileSync(path.join(root, 'network', 'go.mod'), 'utf8');
  const m = new RegExp(`^\\s*(?:require\\s+)?${FABRIC_MODULE.replace(/\./g, '\\.')}\\s+(\\S+)`, 'm').exec(gomod);
  if (!m) throw new Error(`network/go.mod does not require ${FABRIC_MODULE}`);
  return m[1];
}

/**
 * The Fabric release a binary was built as: read from its Go build information,
 * and only when it was built from the pinned module version.
 */
async function installedVersion(bin: string, moduleVersion: string): Promise<string | undefined> {
  if (!fs.existsSync(bin)) return undefined;
  try {
    const info = await runCommand('go', ['version', '-m', bin]);
    const mod = new RegExp(`\\s(?:mod|dep)\\s+${FABRIC_MODULE.replace(/\./g, '\\.')}\\s+(\\S+)`).exec(info)?.[1];
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
    const v = await installedVersion(path.join(opts.binDir, tool), moduleVersion);
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
    const v = await installedVersion(path.join(opts.binDir, tool), moduleVersion);
    if (v !== FABRIC_VERSION) throw new Error(`${tool} reports version ${v ?? 'none'} after the build, expected ${FABRIC_VERSION}`);
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
