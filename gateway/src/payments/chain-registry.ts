/**
 * The EVM chains payments may be made on: RPC endpoint, confirmation policy and
 * the allowlisted tokens (plain ERC-20s only: fee-on-transfer and rebasing
 * tokens break log-based checks). Providers are created once per chain and
 * their chain id is checked once against the registry.
 */
import { JsonRpcProvider, Network, type JsonRpcPayload, type JsonRpcResult } from 'ethers';
import { ServiceError } from '../../../lib/platform/src';

/** When a payment counts as final. */
export type FinalityPolicy = { kind: 'finalized' } | { kind: 'confirmations'; blocks: number };

export interface TokenInfo {
  /** Lower-case 0x address. */
  address: string;
  symbol: string;
  decimals: number;
}

export interface ChainConfig {
  chainId: number;
  name: string;
  rpcUrl?: string;
  finality: FinalityPolicy;
  tokens: TokenInfo[];
}

/** Defaults for Ethereum, Polygon PoS, BNB Smart Chain and a local development chain. */
export const DEFAULT_CHAINS: readonly ChainConfig[] = [
  {
    chainId: 1,
    name: 'ethereum',
    finality: { kind: 'finalized' },
    tokens: [
      { address: '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48', symbol: 'USDC', decimals: 6 },
      { address: '0xdac17f958d2ee523a2206206994597c13d831ec7', symbol: 'USDT', decimals: 6 },
    ],
  },
  {
    chainId: 137,
    name: 'polygon',
    finality: { kind: 'finalized' },
    tokens: [
      { address: '0x3c499c542cef5e3811e1192ce70d8cc03d5c3359', symbol: 'USDC', decimals: 6 },
      { address: '0xc2132d05d31c914a87c6611c10748aeb04b58e8f', symbol: 'USDT', decimals: 6 },
    ],
  },
  {
    chainId: 56,
    name: 'bsc',
    finality: { kind: 'finalized' },
    tokens: [
      { address: '0x8ac76a51cc950d9822d68b83fe1ad97b32cd580d', symbol: 'USDC', decimals: 18 },
      { address: '0x55d398326f99059ff775485246999027b3197955', symbol: 'USDT', decimals: 18 },
    ],
  },
  { chainId: 31337, name: 'local', finality: { kind: 'confirmations', blocks: 3 }, tokens: [] },
];

/** A provider that counts JSON-RPC calls and HTTP requests (for benchmarks and tests). */
export class CountingProvider extends JsonRpcProvider {
  calls = 0;
  requests = 0;
  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    this.requests += 1;
    this.calls += Array.isArray(payload) ? payload.length : 1;
    return super._send(payload);
  }
}

export interface ChainRegistry {
  chain(chainId: number): ChainConfig;
  token(chainId: number, address: string): TokenInfo | undefined;
  /** The chain's provider, its chain id checked against the registry on first use. */
  provider(chainId: number): Promise<CountingProvider>;
  close(): void;
}

/** Builds a registry from chain configurations (e.g. DEFAULT_CHAINS with RPC URLs filled in). */
export function createChainRegistry(chains: readonly ChainConfig[]): ChainRegistry {
  const byId = new Map(chains.map((c) => [c.chainId, { ...c, tokens: c.tokens.map((t) => ({ ...t, address: t.address.toLowerCase() })) }]));
  const providers = new Map<number, Promise<CountingProvider>>();

  function chain(chainId: number): ChainConfig {
    const c = byId.get(chainId);
    if (!c) {
      throw new ServiceError({
        code: 'UNSUPPORTED_CHAIN',
        message: `chain ${chainId} is not configured for payments`,
        httpStatus: 422,
        details: { field: 'chainId' },
      });
    }
    return c;
  }

  async function connect(c: ChainConfig): Promise<CountingProvider> {
    if (!c.rpcUrl) {
      throw new ServiceError({
        code: 'UNSUPPORTED_CHAIN',
        message: `no RPC URL configured for chain ${c.chainId} (${c.name})`,
        httpStatus: 503,
        retriable: true,
      });
    }
    const p = new CountingProvider(c.rpcUrl, Network.from(c.chainId), { staticNetwork: true });
    const reported = Number(BigInt(await p.send('eth_chainId', [])));
    if (reported !== c.chainId) {
      p.destroy();
      throw new ServiceError({ code: 'WRONG_CHAIN', message: `RPC for chain ${c.chainId} answers as chain ${reported}`, httpStatus: 502 });
    }
    return p;
  }

  return {
    chain,
    token: (chainId, address) => chain(chainId).tokens.find((t) => t.address === address.toLowerCase()),
    provider(chainId) {
      let p = providers.get(chainId);
      if (!p) {
        p = connect(chain(chainId));
        providers.set(chainId, p);
        // A failed connection is not cached: the next call tries again.
        p.catch(() => providers.delete(chainId));
      }
      return p;
    },
    close() {
      for (const p of providers.values())
        p.then(
          (x) => x.destroy(),
          () => undefined,
        );
      providers.clear();
    },
  };
}
