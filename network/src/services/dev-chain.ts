/**
 * The development EVM chain of a devnet: anvil with its state kept in the run
 * folder and a test stablecoin deployed once. Writes <runDir>/payments-chains.json,
 * the chain and token the gateways accept payments in (PAYMENTS_CHAINS_FILE).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { JsonRpcProvider } from 'ethers';
import type { DevnetConfig } from '../config';
import { createAnvil, deployTestStablecoin, DEV_KEYS, LOCAL_CHAIN_ID, type AnvilChain, type DeployedToken } from './anvil';

export interface DevChain {
  anvil: AnvilChain;
  token: DeployedToken;
  /** File for the gateways' PAYMENTS_CHAINS_FILE. */
  chainsFile: string;
}

async function hasCode(rpcUrl: string, address: string): Promise<boolean> {
  const p = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true });
  try {
    return ((await p.send('eth_getCode', [address, 'latest'])) as string) !== '0x';
  } finally {
    p.destroy();
  }
}

export async function ensureDevChain(cfg: DevnetConfig, log: (m: string) => void): Promise<DevChain> {
  const anvil = createAnvil({ cfg, persist: true });
  await anvil.start();
  const tokenFile = path.join(cfg.runDir, 'evm-token.json');
  let token: DeployedToken | undefined;
  if (fs.existsSync(tokenFile)) {
    const saved = JSON.parse(fs.readFileSync(tokenFile, 'utf8')) as DeployedToken;
    if (await hasCode(anvil.rpcUrl, saved.address)) token = saved;
  }
  if (!token) {
    ({ token } = await deployTestStablecoin(cfg.root, anvil.rpcUrl, { symbol: 'TUSD', decimals: 6 }));
    fs.writeFileSync(tokenFile, JSON.stringify(token, null, 2));
    log(`deployed test stablecoin ${token.symbol} at ${token.address} (mint it with mint(address,uint256) from any account)`);
  }
  const chainsFile = path.join(cfg.runDir, 'payments-chains.json');
  const chains = [{ chainId: LOCAL_CHAIN_ID, name: 'local', rpcUrl: anvil.rpcUrl, finality: { kind: 'confirmations', blocks: 2 }, tokens: [token] }];
  fs.writeFileSync(chainsFile, JSON.stringify(chains, null, 2));
  return { anvil, token, chainsFile };
}

/** The first development account: holds test ether on the local chain only. */
export const DEV_PAYER_KEY = DEV_KEYS[1];
