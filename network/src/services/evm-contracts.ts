/**
 * Compiles the development chain's contracts (network/evm/*.sol) with solc-js
 * against the OpenZeppelin sources installed from npm, caching the result in
 * the run folder's parent so a compile happens once per source change.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface CompiledContract {
  abi: unknown[];
  bytecode: string;
}

export type ContractName = 'TestStablecoin' | 'TestCollectible';

const SOURCES: ContractName[] = ['TestStablecoin', 'TestCollectible'];

/** Compiles (or loads from cache) every development contract. */
export function compileDevContracts(root: string): Record<ContractName, CompiledContract> {
  const srcDir = path.join(root, 'network', 'evm');
  const sources: Record<string, { content: string }> = {};
  for (const name of SOURCES) sources[`${name}.sol`] = { content: fs.readFileSync(path.join(srcDir, `${name}.sol`), 'utf8') };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require('solc') as { compile(input: string, opts: { import: (p: string) => { contents?: string; error?: string } }): string; version(): string };
  const digest = createHash('sha256').update(solc.version()).update(JSON.stringify(sources)).digest('hex').slice(0, 16);
  const cacheFile = path.join(root, 'network', 'run', 'evm-cache', `contracts-${digest}.json`);
  if (fs.existsSync(cacheFile)) return JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as Record<ContractName, CompiledContract>;

  const ozRoot = path.dirname(require.resolve('@openzeppelin/contracts/package.json'));
  const findImport = (p: string) => {
    if (p.startsWith('@openzeppelin/contracts/')) {
      return { contents: fs.readFileSync(path.join(ozRoot, p.slice('@openzeppelin/contracts/'.length)), 'utf8') };
    }
    return { error: `import not found: ${p}` };
  };
  const input = {
    language: 'Solidity',
    sources,
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'cancun', outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport })) as {
    errors?: Array<{ severity: string; formattedMessage: string }>;
    contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  const result = {} as Record<ContractName, CompiledContract>;
  for (const name of SOURCES) {
    const c = output.contracts[`${name}.sol`][name];
    result[name] = { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
  }
  fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
  fs.writeFileSync(cacheFile, JSON.stringify(result));
  return result;
}
