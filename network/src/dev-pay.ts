/**
 * `npm run dev-pay -- --to 0x… --amount 250`: pays in the local chain's test
 * stablecoin from an anvil development account (minting what it needs) and
 * prints the transaction hash, to claim against a purchase order.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Contract, JsonRpcProvider, NonceManager, parseUnits, Wallet } from 'ethers';
import { loadDevnetConfig } from './config';
import { ANVIL_PORT_OFFSET } from './services/anvil';
import { DEV_PAYER_KEY } from './services/dev-chain';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { to: { type: 'string' }, amount: { type: 'string' } } });
  if (!values.to || !/^0x[0-9a-fA-F]{40}$/.test(values.to)) throw new Error('--to must be a 0x-prefixed 20-byte address');
  if (!values.amount || !/^\d+(\.\d+)?$/.test(values.amount)) throw new Error('--amount must be a decimal number of tokens, e.g. 250 or 12.5');
  const cfg = loadDevnetConfig();
  const tokenFile = path.join(cfg.runDir, 'evm-token.json');
  if (!fs.existsSync(tokenFile)) throw new Error(`no test stablecoin deployed (${tokenFile} is missing): run npm start first`);
  const token = JSON.parse(fs.readFileSync(tokenFile, 'utf8')) as { address: string; decimals: number; symbol: string };
  const provider = new JsonRpcProvider(`http://127.0.0.1:${cfg.portBase + ANVIL_PORT_OFFSET}`, undefined, { staticNetwork: true });
  try {
    const wallet = new Wallet(DEV_PAYER_KEY, provider);
    // Counts nonces locally: the provider's cached answer would reuse one across the two transactions.
    const payer = new NonceManager(wallet);
    const erc20 = new Contract(token.address, ['function mint(address,uint256)', 'function transfer(address,uint256) returns (bool)'], payer);
    const amount = parseUnits(values.amount, token.decimals);
    await (await erc20.mint(wallet.address, amount)).wait();
    const tx = await erc20.transfer(values.to, amount);
    await tx.wait();
    console.log(tx.hash);
  } finally {
    provider.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(`dev-pay: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
