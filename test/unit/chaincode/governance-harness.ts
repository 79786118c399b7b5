/**
 * Drives the ConsortiumContract against the fake stub as an organisation's
 * admin, ordinary user, or a user whose common name imitates the admin OU,
 * each presenting a real certificate.
 */
import { Context } from 'fabric-contract-api';
import { ConsortiumContract } from '../../../chaincode/src/consortium/consortium-contract';
import { FakeStub } from './fake-stub';
import type { Harness } from './harness';
import { certificate, identityOf } from './identities';

export type As = 'admin' | 'user' | 'forged';
export type ConsortiumFn = 'InitConsortium' | 'ProposeChange' | 'ApproveProposal';

export interface Governance {
  /** Submits `fn` as `msp`; commits only when it succeeds. Returns the parsed answer and the event payload. */
  tx(msp: string, as: As, fn: ConsortiumFn, body: unknown): Promise<{ result: any; event: any }>;
  members(): Promise<any[]>;
  proposal(id: string): Promise<any>;
  proposals(): Promise<any[]>;
}

export async function createGovernance(h: () => Harness): Promise<Governance> {
  const contract = new ConsortiumContract();
  const pems: Record<As, (msp: string) => Promise<string>> = {
    admin: (msp) => certificate(`OU=admin, CN=Admin@${msp}`),
    user: (msp) => certificate(`OU=client, CN=User1@${msp}`),
    // A client certificate whose common name spells the admin OU the way getID() renders a subject.
    forged: (msp) => certificate(`OU=client, CN=x/y/OU=admin/CN=User2@${msp}`),
  };
  const cache = new Map<string, string>();
  const pem = async (msp: string, as: As) => {
    const k = `${as}:${msp}`;
    if (!cache.has(k)) cache.set(k, await pems[as](msp));
    return cache.get(k)!;
  };
  const ctxOf = async (stub: FakeStub, msp: string, as: As) => {
    const ctx = new Context();
    ctx.stub = stub as never;
    ctx.clientIdentity = identityOf(msp, await pem(msp, as)) as never;
    return ctx;
  };
  const read = async (fn: 'GetMembers' | 'GetProposal' | 'ListProposals', ...args: string[]) => {
    const stub = new FakeStub(h().world, fn, args);
    const call = contract[fn] as (c: Context, ...a: string[]) => Promise<string>;
    return JSON.parse(await call.call(contract, await ctxOf(stub, 'AuditorMSP', 'user'), ...args));
  };
  return {
    async tx(msp, as, fn, body) {
      const arg = JSON.stringify(body);
      const stub = new FakeStub(h().world, fn, [arg]);
      const raw = await (contract[fn] as (c: Context, a: string) => Promise<string>).call(contract, await ctxOf(stub, msp, as), arg);
      h().world.commit(stub);
      const ev = stub.events[stub.events.length - 1];
      return { result: JSON.parse(raw), event: ev ? JSON.parse(ev.payload.toString('utf8')) : undefined };
    },
    members: async () => (await read('GetMembers')).members,
    proposal: async (id) => (await read('GetProposal', id)).proposal,
    proposals: async () => (await read('ListProposals')).proposals,
  };
}
