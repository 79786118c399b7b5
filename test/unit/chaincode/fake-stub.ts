/**
 * An in-memory stand-in for Fabric's ChaincodeStub and ClientIdentity, for
 * unit tests only. It keeps Fabric's transaction semantics that matter to the
 * contract: reads see committed state only (not the transaction's own
 * writes), writes commit only when the transaction succeeds, range reads come
 * back in key order, and each committed write is kept in key history.
 */
import { createHash } from 'node:crypto';

const NS = '\u0000';

export interface Modification {
  txId: string;
  timestamp: { seconds: number; nanos: number };
  value: Buffer;
  isDelete: boolean;
}

/** Committed world state shared by the transactions of one test. */
export class FakeWorld {
  readonly state = new Map<string, Buffer>();
  readonly history = new Map<string, Modification[]>();
  readonly validationParameters = new Map<string, Buffer>();
  /** Private data by collection, then key: as if one peer were a member of every collection. */
  readonly privateData = new Map<string, Map<string, Buffer>>();
  /** The hashes the channel keeps of private writes (kept after a purge, like Fabric's). */
  readonly privateHashes = new Map<string, Map<string, Buffer>>();
  private counter = 0;

  /** Deterministic tx ids and timestamps: tx 1 at 2025-01-01T00:00:01Z, then one second apart. */
  nextTx(): { txId: string; seconds: number; nanos: number } {
    this.counter++;
    return { txId: `tx${String(this.counter).padStart(6, '0')}`, seconds: 1735689600 + this.counter, nanos: 500_000_000 };
  }

  commit(stub: FakeStub): void {
    const ts = { seconds: stub.seconds, nanos: stub.nanos };
    for (const [key, value] of stub.writes) {
      const list = this.history.get(key) ?? [];
      if (value === null) {
        this.state.delete(key);
        list.push({ txId: stub.txId, timestamp: ts, value: Buffer.alloc(0), isDelete: true });
      } else {
        this.state.set(key, value);
        list.push({ txId: stub.txId, timestamp: ts, value, isDelete: false });
      }
      this.history.set(key, list);
    }
    for (const [key, ep] of stub.validationParameters) this.validationParameters.set(key, ep);
    for (const [collection, writes] of stub.privateWrites) {
      const data = this.privateData.get(collection) ?? new Map<string, Buffer>();
      const hashes = this.privateHashes.get(collection) ?? new Map<string, Buffer>();
      for (const [key, value] of writes) {
        if (value === null) {
          data.delete(key);
        } else {
          data.set(key, value);
          hashes.set(key, createHash('sha256').update(value).digest());
        }
      }
      this.privateData.set(collection, data);
      this.privateHashes.set(collection, hashes);
    }
  }

  /** State as sorted [key, utf8 value] pairs, for byte-for-byte comparisons. */
  dump(): [string, string][] {
    return [...this.state.keys()].sort().map((k) => [k, this.state.get(k)!.toString('utf8')]);
  }
}

function iterator<T>(items: T[]) {
  let i = 0;
  let closed = false;
  const it = {
    async next(): Promise<{ value: T; done: boolean }> {
      if (closed) throw new Error('iterator used after close');
      if (i < items.length) return { value: items[i++], done: false };
      return { value: undefined as unknown as T, done: true };
    },
    async close(): Promise<void> {
      closed = true;
    },
  };
  return it;
}

export class FakeStub {
  readonly writes = new Map<string, Buffer | null>();
  readonly events: { name: string; payload: Buffer }[] = [];
  readonly validationParameters = new Map<string, Buffer>();
  /** Private writes by collection (null: purged). */
  readonly privateWrites = new Map<string, Map<string, Buffer | null>>();
  readonly txId: string;
  readonly seconds: number;
  readonly nanos: number;

  constructor(
    private readonly world: FakeWorld,
    private readonly fcn: string,
    private readonly params: string[],
    private readonly transient: Map<string, Uint8Array> = new Map(),
  ) {
    const tx = world.nextTx();
    this.txId = tx.txId;
    this.seconds = tx.seconds;
    this.nanos = tx.nanos;
  }

  getTxID(): string {
    return this.txId;
  }

  getChannelID(): string {
    return 'supplychain';
  }

  getTxTimestamp() {
    const seconds = this.seconds;
    // fabric-shim returns a Long; give the same surface (toString / toNumber).
    return { seconds: { toString: () => String(seconds), toNumber: () => seconds, low: seconds, high: 0 }, nanos: this.nanos };
  }

  getFunctionAndParameters(): { fcn: string; params: string[] } {
    return { fcn: this.fcn, params: this.params };
  }

  /** Range reads asked of the peer, as `type~attr~…` (round trips a test can count). */
  readonly rangeReads: string[] = [];

  async getState(key: string): Promise<Uint8Array> {
    return this.world.state.get(key) ?? Buffer.alloc(0);
  }

  async putState(key: string, value: Uint8Array): Promise<void> {
    if (typeof key !== 'string' || key.length === 0) throw new Error('key must not be empty');
    this.writes.set(key, Buffer.from(value));
  }

  async deleteState(key: string): Promise<void> {
    this.writes.set(key, null);
  }

  getTransient(): Map<string, Uint8Array> {
    return this.transient;
  }

  private privateWrite(collection: string, key: string, value: Buffer | null): void {
    const writes = this.privateWrites.get(collection) ?? new Map<string, Buffer | null>();
    writes.set(key, value);
    this.privateWrites.set(collection, writes);
  }

  async getPrivateData(collection: string, key: string): Promise<Uint8Array> {
    return this.world.privateData.get(collection)?.get(key) ?? Buffer.alloc(0);
  }

  async getPrivateDataHash(collection: string, key: string): Promise<Uint8Array> {
    return this.world.privateHashes.get(collection)?.get(key) ?? Buffer.alloc(0);
  }

  async putPrivateData(collection: string, key: string, value: Uint8Array): Promise<void> {
    this.privateWrite(collection, key, Buffer.from(value));
  }

  async purgePrivateData(collection: string, key: string): Promise<void> {
    this.privateWrite(collection, key, null);
  }

  async setStateValidationParameter(key: string, ep: Uint8Array): Promise<void> {
    this.validationParameters.set(key, Buffer.from(ep));
  }

  async getStateValidationParameter(key: string): Promise<Uint8Array> {
    return this.validationParameters.get(key) ?? this.world.validationParameters.get(key) ?? Buffer.alloc(0);
  }

  createCompositeKey(objectType: string, attributes: string[]): string {
    for (const a of [objectType, ...attributes]) {
      if (typeof a !== 'string' || a.length === 0) throw new Error('object type or attribute not a non-zero length string');
    }
    return `${NS}${objectType}${NS}${attributes.map((a) => `${a}${NS}`).join('')}`;
  }

  splitCompositeKey(key: string): { objectType: string | null; attributes: string[] } {
    if (!key.startsWith(NS)) return { objectType: null, attributes: [] };
    const parts = key.slice(1, -1).split(NS);
    return { objectType: parts[0], attributes: parts.slice(1) };
  }

  getStateByPartialCompositeKey(objectType: string, attributes: string[]) {
    const prefix = this.createCompositeKey(objectType, attributes);
    this.rangeReads.push([objectType, ...attributes].join('~'));
    const items = [...this.world.state.keys()]
      .filter((k) => k.startsWith(prefix))
      .sort()
      .map((key) => ({ namespace: 'traceability', key, value: this.world.state.get(key)! }));
    return Promise.resolve(iterator(items));
  }

  getHistoryForKey(key: string) {
    return Promise.resolve(iterator([...(this.world.history.get(key) ?? [])]));
  }

  setEvent(name: string, payload: Uint8Array): void {
    this.events.push({ name, payload: Buffer.from(payload) });
  }
}

export class FakeIdentity {
  constructor(private readonly mspId: string) {}

  getMSPID(): string {
    return this.mspId;
  }

  getID(): string {
    return `x509::/CN=user@${this.mspId}::/CN=ca.${this.mspId}`;
  }

  getIDBytes(): Uint8Array {
    return Buffer.from(this.getID());
  }

  getAttributeValue(): string | null {
    return null;
  }

  assertAttributeValue(): boolean {
    return false;
  }
}
