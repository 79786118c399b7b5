/**
 * The block the auditor pinned: every proof's hash chain must end at it. It is
 * kept in this browser's localStorage (per gateway origin); compare its hash
 * with another organisation's peer before relying on it.
 */
import type { PinnedBlock } from '../proof/verify';
import { fromHex, sha256, toHex } from '../proof/bytes';
import { blockHeaderDer } from '../proof/der';
import { gateway } from './api';

const KEY = 'coffee-trace.pinned-block';

export function loadPin(): PinnedBlock | undefined {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? 'null') ?? undefined;
  } catch {
    return undefined;
  }
}

/** Pins the newest block, hashing its header here rather than taking the server's hash. */
export async function pinNewest(): Promise<PinnedBlock> {
  const h = await gateway<{ number: string; previousHash: string; dataHash: string }>('/provenance/blocks/tip');
  const hash = toHex(await sha256(blockHeaderDer(BigInt(h.number), fromHex(h.previousHash), fromHex(h.dataHash))));
  const pin = { number: h.number, headerHash: hash };
  localStorage.setItem(KEY, JSON.stringify(pin));
  return pin;
}
