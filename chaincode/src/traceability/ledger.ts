/**
 * One transaction's view of world state. Fabric's getState does not see the
 * transaction's own writes, so reads go through a cache that also holds its writes (sent at the end); range
 * reads merge it too. Every write is canonical JSON, and entity writes are
 * remembered so the transaction's event can list them.
 */
import type { Context } from 'fabric-contract-api';
import { canonicalBytes } from './canonical-json';
import { compositeKey, readableKey } from './keys';

/** A written entity, as listed in the TraceEvents payload. */
export interface WrittenRecord {
  key: string;
  value: unknown;
}

/** Entity types whose writes are reported in `records` (stock is reported as stock lines). */
const REPORTED = new Set(['location', 'product', 'lot', 'shipment', 'receipt', 'po', 'payment', 'recall', 'sales', 'attestation', 'correction', 'licence']);

export class Ledger {
  private readonly cache = new Map<string, Buffer | null>();
  private readonly written = new Map<string, WrittenRecord>();
  /** Writes not yet sent to the peer (see {@link flush}). */
  private readonly pending = new Map<string, Buffer | null>();
  /** Composite-key prefixes already range-read: every key under them is in the cache. */
  private readonly ranges: string[] = [];

  constructor(private readonly ctx: Context) {}

  key(objectType: string, attributes: readonly string[]): string {
    return compositeKey(objectType, attributes);
  }

  async getBytes(key: string): Promise<Buffer | null> {
    if (this.cache.has(key)) return this.cache.get(key) ?? null;
    const data = await this.ctx.stub.getState(key);
    const buf = data && data.length > 0 ? Buffer.from(data) : null;
    this.cache.set(key, buf);
    return buf;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const buf = await this.getBytes(key);
    return buf ? (JSON.parse(buf.toString('utf8')) as T) : undefined;
  }

  async exists(key: string): Promise<boolean> {
    return (await this.getBytes(key)) !== null;
  }

  async put(key: string, value: unknown): Promise<void> {
    const bytes = canonicalBytes(value);
    this.cache.set(key, bytes);
    this.pending.set(key, bytes);
    const objectType = readableKey(key).split('~')[0];
    if (REPORTED.has(objectType)) this.written.set(key, { key: readableKey(key), value });
  }

  /** Index entries carry no data; Fabric treats an empty value as a delete, so store "1". */
  async putIndex(key: string): Promise<void> {
    if (await this.exists(key)) return;
    const bytes = Buffer.from('1');
    this.cache.set(key, bytes);
    this.pending.set(key, bytes);
  }

  /** Deletes a key (an index entry that no longer applies). */
  async del(key: string): Promise<void> {
    this.cache.set(key, null);
    this.pending.set(key, null);
  }

  /**
   * Sends this transaction's writes to the peer, each key once with its last
   * value. Writes are kept until here because every putState is a round trip
   * to the peer and a transaction may write one key several times (a store's
   * stock in a roll-up of its batches); reads see them through the cache.
   */
  async flush(): Promise<void> {
    for (const [key, bytes] of this.pending) {
      if (bytes) await this.ctx.stub.putState(key, bytes);
      else await this.ctx.stub.deleteState(key);
    }
    this.pending.clear();
  }

  /**
   * All keys under a partial composite key, merged with this transaction's own
   * writes, in key order.
   */
  async list<T>(objectType: string, attributes: readonly string[]): Promise<{ key: string; value: T }[]> {
    const prefix = compositeKey(objectType, attributes);
    // A range inside one already read is answered from the cache: that read put every key of the range
    // there (and in the read set, re-run at validation), and writes since keep the cache current. A
    // roll-up reads a store's stock once however many of its batches and lines it books.
    if (!this.ranges.some((r) => prefix.startsWith(r))) await this.readRange(objectType, attributes);
    const found: Array<[string, Buffer]> = [];
    for (const [key, buf] of this.cache) if (buf && key.startsWith(prefix)) found.push([key, buf]);
    found.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return found.map(([key, buf]) => ({ key, value: JSON.parse(buf.toString('utf8')) as T }));
  }

  private async readRange(objectType: string, attributes: readonly string[]): Promise<void> {
    const iterator = await this.ctx.stub.getStateByPartialCompositeKey(objectType, [...attributes]);
    let exhausted = false;
    try {
      for (;;) {
        const res = await iterator.next();
        if (!res || res.done || !res.value) {
          exhausted = true;
          break;
        }
        // This transaction's own view wins over the committed state: its writes and earlier reads are kept.
        const key = res.value.key;
        if (!this.cache.has(key)) this.cache.set(key, res.value.value && res.value.value.length > 0 ? Buffer.from(res.value.value) : null);
      }
    } finally {
      // The peer releases an iterator it has returned the last result of (and every iterator when the
      // transaction ends), so only one left part-way is closed: one round trip fewer per range read.
      if (!exhausted) await iterator.close();
    }
    this.ranges.push(compositeKey(objectType, attributes));
  }

  /** Entity records written so far, in write order. */
  records(): WrittenRecord[] {
    return [...this.written.values()];
  }
}
