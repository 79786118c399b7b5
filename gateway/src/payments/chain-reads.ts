/**
 * The few JSON-RPC reads payment verification needs, sent as raw calls so no
 * client-side cache can hand back a stale head or receipt (ethers caches some
 * answers), and so each verification's call count is exact.
 */
import type { JsonRpcProvider } from 'ethers';
import type { ReceiptLog } from './transfers';

export interface RpcReceipt {
  status: number;
  blockNumber: number;
  blockHash: string;
  logs: ReceiptLog[];
}

export interface RpcTransaction {
  from: string;
  to: string | null;
  value: bigint;
}

interface RawLog {
  address: string;
  topics: string[];
  data: string;
  logIndex: string;
}

const num = (hex: string) => Number(BigInt(hex));

export async function getReceipt(p: JsonRpcProvider, txHash: string): Promise<RpcReceipt | null> {
  const r = (await p.send('eth_getTransactionReceipt', [txHash])) as { status: string; blockNumber: string; blockHash: string; logs: RawLog[] } | null;
  if (!r || !r.blockHash) return null;
  return {
    status: num(r.status),
    blockNumber: num(r.blockNumber),
    blockHash: r.blockHash.toLowerCase(),
    logs: r.logs.map((l) => ({ address: l.address.toLowerCase(), topics: l.topics.map((t) => t.toLowerCase()), data: l.data, index: num(l.logIndex) })),
  };
}

export async function getTransaction(p: JsonRpcProvider, txHash: string): Promise<RpcTransaction | null> {
  const t = (await p.send('eth_getTransactionByHash', [txHash])) as { from: string; to: string | null; value: string } | null;
  if (!t) return null;
  return { from: t.from.toLowerCase(), to: t.to?.toLowerCase() ?? null, value: BigInt(t.value) };
}

/** A block's number and time, by hash or by tag ('finalized'); null when unknown. */
export async function getBlockHeader(
  p: JsonRpcProvider,
  ref: { hash: string } | { tag: 'finalized' | 'latest' },
): Promise<{ number: number; timestamp: number } | null> {
  const b = ('hash' in ref ? await p.send('eth_getBlockByHash', [ref.hash, false]) : await p.send('eth_getBlockByNumber', [ref.tag, false])) as {
    number: string;
    timestamp: string;
  } | null;
  return b ? { number: num(b.number), timestamp: num(b.timestamp) } : null;
}

export async function getHeadNumber(p: JsonRpcProvider): Promise<number> {
  return num((await p.send('eth_blockNumber', [])) as string);
}
