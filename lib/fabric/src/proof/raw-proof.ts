/**
 * The raw material of a transaction's proof, for verification elsewhere (the
 * web console checks it in the auditor's browser with WebCrypto): the block
 * holding the transaction exactly as the peer returned it (header, every data
 * entry the data hash covers, the envelope with its signatures and
 * certificates, the validation flags), the channel's latest config block (the
 * MSP root certificates), and the header fields of every block between those
 * and the block the auditor pinned, so the hash chain can be walked to it.
 *
 * Nothing here is checked: the point is that the reader checks it.
 */
import { ServiceError } from '../../../platform/src';
import { decodeBlock, type LedgerBlock } from '../block-decoder';
import type { LedgerClient } from '../ledger-client';

export interface RawHeader {
  number: string;
  previousHash: string;
  dataHash: string;
}

export interface RawProofBundle {
  txId: string;
  channelTip: string;
  block: { number: string; raw: string };
  configBlock: { number: string; raw: string };
  pinned: string;
  /** Header fields (hex) of every block from the lowest to the highest of the three numbers above. */
  headers: RawHeader[];
}

export interface RawProofService {
  bundle(opts: { txId: string; pinned?: bigint }): Promise<RawProofBundle>;
  tip(): Promise<RawHeader & { headerHash: string }>;
  block(n: bigint): Promise<{ number: string; raw: string }>;
}

const header = (b: LedgerBlock): RawHeader => ({
  number: b.number.toString(),
  previousHash: b.previousHash.toString('hex'),
  dataHash: b.dataHash.toString('hex'),
});

export function createRawProofService(opts: { ledger: LedgerClient; maxSpan?: number; cacheSize?: number }): RawProofService {
  const { ledger } = opts;
  const maxSpan = BigInt(opts.maxSpan ?? 5000);
  const cacheSize = opts.cacheSize ?? 20_000;
  // Committed headers never change, so they are cached by number (oldest dropped first).
  const headers = new Map<bigint, RawHeader>();
  const headerOf = async (n: bigint): Promise<RawHeader> => {
    const hit = headers.get(n);
    if (hit) return hit;
    const h = header(await ledger.blockByNumber(n));
    headers.set(n, h);
    if (headers.size > cacheSize) headers.delete(headers.keys().next().value as bigint);
    return h;
  };

  // The config block changes only with a channel update; a trace proving many transactions asks for it once.
  // A stale copy cannot mislead: the reader checks that it sits in the hash chain.
  let config: { at: number; raw: Promise<Buffer> } | undefined;
  const configBlock = () => {
    if (!config || Date.now() - config.at > 5000) {
      const raw = ledger.configBlock();
      config = { at: Date.now(), raw };
      raw.catch(() => (config = undefined));
    }
    return config.raw;
  };

  return {
    async bundle({ txId, pinned }) {
      const [block, configRaw, height] = await Promise.all([ledger.blockByTxId(txId), configBlock(), ledger.height()]);
      const tip = height - 1n;
      const pin = pinned ?? tip;
      if (pin > tip) throw new ServiceError({ code: 'NOT_FOUND', message: `block ${pin} is not committed yet (the tip is ${tip})`, httpStatus: 404 });
      const config = decodeBlock(configRaw);
      const numbers = [block.number, config.number, pin];
      const lo = numbers.reduce((a, b) => (a < b ? a : b));
      const hi = numbers.reduce((a, b) => (a > b ? a : b));
      if (hi - lo > maxSpan) {
        throw new ServiceError({
          code: 'INVALID_ARGUMENT',
          message: `the proof would span ${hi - lo} blocks (at most ${maxSpan}): pin a block nearer to ${block.number}`,
          httpStatus: 422,
          details: { errors: [{ field: 'pinned', message: 'too far from the transaction' }] },
        });
      }
      headers.set(block.number, header(block));
      const list: RawHeader[] = [];
      for (let n = lo; n <= hi; n++) list.push(await headerOf(n));
      return {
        txId,
        channelTip: tip.toString(),
        block: { number: block.number.toString(), raw: block.raw.toString('base64') },
        configBlock: { number: config.number.toString(), raw: configRaw.toString('base64') },
        pinned: pin.toString(),
        headers: list,
      };
    },
    async tip() {
      const tip = (await ledger.height()) - 1n;
      const b = await ledger.blockByNumber(tip);
      return { ...header(b), headerHash: b.headerHash.toString('hex') };
    },
    async block(n) {
      const b = await ledger.blockByNumber(n);
      return { number: b.number.toString(), raw: b.raw.toString('base64') };
    },
  };
}
