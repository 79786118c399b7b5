/**
 * Payments configuration from the environment: the default chain registry,
 * with RPC URLs (PAYMENTS_RPC_URLS="1=https://…,31337=http://127.0.0.1:7900")
 * and, from PAYMENTS_CHAINS_FILE, chains or tokens to add or override
 * (a JSON array of {chainId, name?, rpcUrl?, finality?, tokens?}).
 */
import * as fs from 'node:fs';
import { envInt, envPositive } from '../../../lib/platform/src';
import { DEFAULT_CHAINS, type ChainConfig } from './chain-registry';

export interface PaymentsConfig {
  chains: ChainConfig[];
  expiryMs: number;
  recheckMs: number;
  /** False when no chain has an RPC URL: payments routes are then not served. */
  enabled: boolean;
}

function parseRpcUrls(raw: string | undefined): Map<number, string> {
  const out = new Map<number, string>();
  for (const part of (raw ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(\d+)=(https?:\/\/\S+)$/.exec(part);
    if (!m) throw new Error(`PAYMENTS_RPC_URLS: expected chainId=http(s)://url, got "${part}"`);
    out.set(Number(m[1]), m[2]);
  }
  return out;
}

function readChainsFile(file: string | undefined): Array<Partial<ChainConfig> & { chainId: number }> {
  if (!file) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`PAYMENTS_CHAINS_FILE ${file}: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed) || parsed.some((c) => typeof c?.chainId !== 'number')) {
    throw new Error(`PAYMENTS_CHAINS_FILE ${file}: expected a JSON array of objects with a numeric chainId`);
  }
  return parsed as Array<Partial<ChainConfig> & { chainId: number }>;
}

export function loadPaymentsConfig(env: NodeJS.ProcessEnv = process.env): PaymentsConfig {
  const urls = parseRpcUrls(env.PAYMENTS_RPC_URLS);
  const byId = new Map<number, ChainConfig>(DEFAULT_CHAINS.map((c) => [c.chainId, { ...c, tokens: [...c.tokens] }]));
  for (const extra of readChainsFile(env.PAYMENTS_CHAINS_FILE)) {
    const base = byId.get(extra.chainId) ?? {
      chainId: extra.chainId,
      name: `chain-${extra.chainId}`,
      finality: { kind: 'confirmations', blocks: 12 },
      tokens: [],
    };
    const tokens = [...base.tokens];
    for (const t of extra.tokens ?? []) {
      const i = tokens.findIndex((x) => x.address.toLowerCase() === t.address.toLowerCase());
      if (i >= 0) tokens[i] = t;
      else tokens.push(t);
    }
    byId.set(extra.chainId, { ...base, ...extra, tokens });
  }
  for (const [id, url] of urls) {
    const c = byId.get(id);
    if (!c) throw new Error(`PAYMENTS_RPC_URLS names chain ${id}, which is not configured (add it in PAYMENTS_CHAINS_FILE)`);
    c.rpcUrl = url;
  }
  const chains = [...byId.values()];
  const minutes = envPositive(env, 'PAYMENTS_EXPIRY_MINUTES', 24 * 60);
  return {
    chains,
    expiryMs: minutes * 60_000,
    recheckMs: envInt(env, 'PAYMENTS_RECHECK_MS', 5000, 10, 3_600_000),
    enabled: chains.some((c) => c.rpcUrl),
  };
}
