/**
 * A local EVM chain (anvil, from the @foundry-rs/anvil npm package) on the
 * devnet's port base + 900, run by PID, with a test stablecoin deployed for
 * paying purchase orders in development and tests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContractFactory, JsonRpcProvider, Wallet, type Contract, type InterfaceAbi } from 'ethers';
import type { DevnetConfig } from '../config';
import { logDir, pidDir, stateDir } from '../paths';
import { createProcessManager } from '../processes';
import { compileDevContracts } from './evm-contracts';

export const ANVIL_PORT_OFFSET = 900;
export const ANVIL_PROCESS = 'anvil';
export const LOCAL_CHAIN_ID = 31337;

/**
 * Anvil's well-known development keys (derived from its default mnemonic).
 * They hold test ether on a local chain only and must never be used elsewhere.
 */
export const DEV_KEYS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
] as const;

export interface AnvilChain {
  rpcUrl: string;
  chainId: number;
  start(): Promise<void>;
  stop(): Promise<boolean>;
  pid(): number | undefined;
}

function anvilBinary(): string {
  const pkg = `@foundry-rs/anvil-${process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`;
  try {
    return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'bin', 'anvil');
  } catch {
    throw new Error(`no anvil binary for ${process.platform}/${process.arch}: npm package ${pkg} is not installed`);
  }
}

/** Creates the chain for a devnet; `persist` keeps its state across restarts in the run folder. */
export function createAnvil(opts: { cfg: DevnetConfig; persist?: boolean; blockTimeSeconds?: number }): AnvilChain {
  const port = opts.cfg.portBase + ANVIL_PORT_OFFSET;
  const pm = createProcessManager({ pidDir: pidDir(opts.cfg), logDir: logDir(opts.cfg) });
  const rpcUrl = `http://127.0.0.1:${port}`;
  return {
    rpcUrl,
    chainId: LOCAL_CHAIN_ID,
    async start() {
      const args = ['--host', '127.0.0.1', '--port', String(port), '--chain-id', String(LOCAL_CHAIN_ID), '--accounts', String(DEV_KEYS.length)];
      if (opts.blockTimeSeconds) args.push('--block-time', String(opts.blockTimeSeconds));
      if (opts.persist) {
        const dir = stateDir(opts.cfg, 'anvil');
        fs.mkdirSync(dir, { recursive: true });
        args.push('--state', path.join(dir, 'state.json'));
      }
      await pm.start({ name: ANVIL_PROCESS, command: anvilBinary(), args, env: process.env, health: { kind: 'tcp', host: '127.0.0.1', port } });
    },
    stop: () => pm.stop(ANVIL_PROCESS),
    pid() {
      const info = pm.get(ANVIL_PROCESS);
      return info?.alive ? info.pid : undefined;
    },
  };
}

export interface DeployedToken {
  address: string;
  decimals: number;
  symbol: string;
}

/** Deploys a TestStablecoin from the first development key. */
export async function deployTestStablecoin(
  root: string,
  rpcUrl: string,
  opts: { symbol?: string; decimals?: number } = {},
): Promise<{ token: DeployedToken; contract: Contract }> {
  const compiled = compileDevContracts(root).TestStablecoin;
  const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true });
  const deployer = new Wallet(DEV_KEYS[0], provider);
  const symbol = opts.symbol ?? 'TUSD';
  const decimals = opts.decimals ?? 6;
  const factory = new ContractFactory(compiled.abi as InterfaceAbi, compiled.bytecode, deployer);
  const contract = (await factory.deploy(`Test ${symbol}`, symbol, decimals)) as Contract;
  await contract.waitForDeployment();
  return { token: { address: (await contract.getAddress()).toLowerCase(), decimals, symbol }, contract };
}
