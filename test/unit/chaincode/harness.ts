/**
 * Drives the TraceabilityContract against the fake stub: one call = one
 * transaction, committed only if it succeeds (as on a peer).
 */
import './quiet-logs';
import { expect } from 'chai';
import { Context } from 'fabric-contract-api';
import { TraceabilityContract } from '../../../chaincode/src/traceability';
import { gs1CheckDigit } from '../../../chaincode/src/traceability/gs1';
import { memberKey, type MemberRole } from '../../../chaincode/src/consortium/registry';
import { canonicalJson } from '../../../chaincode/src/traceability/canonical-json';
import { FakeIdentity, FakeStub, FakeWorld } from './fake-stub';

export const RETAILER = 'RetailerMSP';
export const SUPPLIER = 'SupplierMSP';
export const AUDITOR = 'AuditorMSP';

/** A GLN / GTIN-13 from 12 digits plus the computed check digit. */
export function gs1(body: string): string {
  return `${body}${gs1CheckDigit(body)}`;
}

export interface TxOutcome {
  /** Parsed result. */
  result: any;
  /** Raw result string as the client would receive it. */
  raw: string;
  stub: FakeStub;
  /** Parsed TraceEvents payloads emitted by this transaction. */
  events: any[];
}

type TxName = {
  [K in keyof TraceabilityContract]: TraceabilityContract[K] extends (ctx: Context, ...args: string[]) => Promise<string> ? K : never;
}[keyof TraceabilityContract];

/** The registry the devnet seeds: the retailer governs, one supplier, one auditor; GS1 company prefixes of the identifiers below. */
export const DEVNET_MEMBERS: Array<{ mspId: string; roles: MemberRole[]; gs1Prefixes?: string[] }> = [
  { mspId: RETAILER, roles: ['governance', 'retailer'], gs1Prefixes: ['4000001', '4000002'] },
  { mspId: SUPPLIER, roles: ['supplier'], gs1Prefixes: ['7612345'] },
  { mspId: AUDITOR, roles: ['auditor'], gs1Prefixes: ['9900000'] },
];

export class Harness {
  readonly world = new FakeWorld();
  readonly contract = new TraceabilityContract();
  /** Every stub that committed, in order. */
  readonly committed: FakeStub[] = [];

  constructor(members = DEVNET_MEMBERS) {
    for (const m of members) this.setMember(m.mspId, m.roles, m.gs1Prefixes);
  }

  /** Writes a registry entry straight into committed state (the governance path is tested on its own). */
  setMember(mspId: string, roles: MemberRole[], gs1Prefixes: string[] = []): void {
    const member = { docType: 'member', mspId, displayName: mspId, roles, gs1Prefixes, txId: 'seed', updatedAt: '2026-01-01T00:00:00.000Z' };
    this.world.state.set(memberKey(mspId), Buffer.from(canonicalJson(member)));
  }

  private ctx(stub: FakeStub, msp: string): Context {
    const ctx = new Context();
    ctx.stub = stub as never;
    ctx.clientIdentity = new FakeIdentity(msp) as never;
    return ctx;
  }

  /** Submits a transaction with a JSON request; throws the contract's error as-is. */
  async submit(msp: string, fn: TxName, request: Record<string, unknown> | string, transient: Record<string, unknown> = {}): Promise<TxOutcome> {
    const arg = typeof request === 'string' ? request : JSON.stringify(request);
    const transientMap = new Map(Object.entries(transient).map(([k, v]) => [k, Buffer.from(JSON.stringify(v))] as [string, Uint8Array]));
    const stub = new FakeStub(this.world, fn, [arg], transientMap);
    const method = this.contract[fn] as (ctx: Context, ...a: string[]) => Promise<string>;
    const raw = await method.call(this.contract, this.ctx(stub, msp), arg);
    this.world.commit(stub);
    this.committed.push(stub);
    return {
      result: JSON.parse(raw),
      raw,
      stub,
      events: stub.events.map((e) => JSON.parse(e.payload.toString('utf8'))),
    };
  }

  /** Evaluates a query; nothing it writes would be committed. */
  async query(msp: string, fn: TxName, ...args: string[]): Promise<any> {
    const stub = new FakeStub(this.world, fn, args);
    const method = this.contract[fn] as (ctx: Context, ...a: string[]) => Promise<string>;
    const raw = await method.call(this.contract, this.ctx(stub, msp), ...args);
    expect(stub.writes.size, `${fn} must not write`).to.equal(0);
    return JSON.parse(raw);
  }

  /** Base units on hand for a lot at a location, straight from committed state. */
  onHand(gln: string, gtin: string, lotCode: string): bigint {
    const v = this.world.state.get(`\u0000stock\u0000${gln}\u0000${gtin.padStart(14, '0')}\u0000${lotCode}\u0000`);
    return v ? BigInt(JSON.parse(v.toString()).baseUnits) : 0n;
  }
}

/** Runs `fn`, expects a contract error with `code` (and `field` when given); returns the parsed body. */
export async function expectTraceError(fn: () => Promise<unknown>, code: string, field?: string): Promise<any> {
  let error: unknown;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  expect(error, `expected ${code} error`).to.be.instanceOf(Error);
  const message = (error as Error).message;
  let body: any;
  try {
    body = JSON.parse(message);
  } catch {
    throw new Error(`error message is not JSON: ${message}`);
  }
  expect(body.code, message).to.equal(code);
  if (field !== undefined) expect(body.field, message).to.equal(field);
  expect(body.message).to.be.a('string').and.not.equal('');
  return body;
}

// ---- a small coffee network --------------------------------------------

export const GLN = {
  farm: gs1('761234500001'),
  importer: gs1('761234500002'),
  roastery: gs1('761234500003'),
  roastery2: gs1('761234500004'),
  dc: gs1('400000100001'),
  store: gs1('400000100002'),
  store2: gs1('400000100003'),
};

export const GTIN = {
  green: gs1('761234510001').padStart(14, '0'),
  roasted: gs1('761234510002').padStart(14, '0'),
  milk: gs1('400000110001').padStart(14, '0'),
};

let seq = 0;
/** A fresh eventId. */
export function eid(prefix = 'ev'): string {
  seq++;
  return `${prefix}-${seq}`;
}

/** Registers locations and products used by most tests. */
export async function seedMasterData(h: Harness): Promise<void> {
  const locs: [string, string, string, string][] = [
    [SUPPLIER, GLN.farm, 'cooperative', 'Cooperativa Los Andes'],
    [SUPPLIER, GLN.importer, 'importer_warehouse', 'Importer Hamburg'],
    [SUPPLIER, GLN.roastery, 'roastery', 'Roastery Bremen'],
    [SUPPLIER, GLN.roastery2, 'roastery', 'Roastery Berlin'],
    [RETAILER, GLN.dc, 'dc', 'DC North'],
    [RETAILER, GLN.store, 'store', 'Store 001'],
    [RETAILER, GLN.store2, 'store', 'Store 002'],
  ];
  for (const [msp, gln, type, name] of locs) {
    await h.submit(msp, 'RegisterLocation', { eventId: eid('loc'), gln, type, name, address: { country: 'DE', city: 'Hamburg' } });
  }
  await h.submit(SUPPLIER, 'RegisterProduct', { eventId: eid('prod'), gtin: GTIN.green, description: 'Green coffee, washed arabica', unit: 'KGM' });
  await h.submit(SUPPLIER, 'RegisterProduct', { eventId: eid('prod'), gtin: GTIN.roasted, description: 'Roasted beans 1kg', unit: 'KGM' });
  await h.submit(RETAILER, 'RegisterProduct', { eventId: eid('prod'), gtin: GTIN.milk, description: 'Whole milk 1l', unit: 'LTR' });
}

/** Commissions a lot; returns the outcome. */
export function commission(h: Harness, msp: string, gln: string, gtin: string, lotCode: string, quantity: string, extra: Record<string, unknown> = {}) {
  return h.submit(msp, 'CommissionLot', { eventId: eid('com'), gln, gtin, lotCode, quantity, ...extra });
}
