import './quiet-logs';
import { expect } from 'chai';
import { Context } from 'fabric-contract-api';
import { ConsortiumContract } from '../../../chaincode/src/consortium/consortium-contract';
import { FakeIdentity, FakeStub } from './fake-stub';
import { AUDITOR, Harness, RETAILER, SUPPLIER, expectTraceError, gs1 } from './harness';

/** An identity whose certificate carries NodeOU admin, as Fabric's admin certificates do. */
class AdminIdentity extends FakeIdentity {
  constructor(private readonly msp: string) {
    super(msp);
  }
  override getID(): string {
    return `x509::/C=US/OU=admin/CN=Admin@${this.msp}::/CN=ca.${this.msp}`;
  }
}

describe('consortium registry and roles', () => {
  let h: Harness;
  const contract = new ConsortiumContract();

  /** Runs a consortium transaction as `msp` (admin or not); commits only when it succeeds. */
  async function govern(msp: string, admin: boolean, fn: 'InitConsortium' | 'SetMember' | 'RemoveMember', body: unknown): Promise<any> {
    const arg = JSON.stringify(body);
    const stub = new FakeStub(h.world, fn, [arg]);
    const ctx = new Context();
    ctx.stub = stub as never;
    ctx.clientIdentity = (admin ? new AdminIdentity(msp) : new FakeIdentity(msp)) as never;
    const raw = await (contract[fn] as (c: Context, a: string) => Promise<string>).call(contract, ctx, arg);
    h.world.commit(stub);
    return JSON.parse(raw);
  }

  async function members(): Promise<any[]> {
    const stub = new FakeStub(h.world, 'GetMembers', []);
    const ctx = new Context();
    ctx.stub = stub as never;
    ctx.clientIdentity = new FakeIdentity(AUDITOR) as never;
    return JSON.parse(await contract.GetMembers(ctx)).members;
  }

  const location = (gln: string) => ({ eventId: `loc-${gln}`, gln, name: 'Roastery', type: 'roastery', address: { country: 'DE' } });

  beforeEach(() => {
    h = new Harness();
  });

  it('seeds an empty registry once, by an admin of a governing member', async () => {
    h = new Harness([]);
    const seed = {
      members: [
        { mspId: 'Org1MSP', displayName: 'Org 1', roles: ['retailer', 'governance'] },
        { mspId: 'Org2MSP', displayName: 'Org 2', roles: ['supplier'] },
      ],
    };
    await expectTraceError(() => govern('Org1MSP', false, 'InitConsortium', seed), 'FORBIDDEN');
    await expectTraceError(() => govern('Org2MSP', true, 'InitConsortium', seed), 'FORBIDDEN');
    await govern('Org1MSP', true, 'InitConsortium', seed);
    expect((await members()).map((m) => `${m.mspId}:${m.roles.join('+')}`)).to.deep.equal(['Org1MSP:governance+retailer', 'Org2MSP:supplier']);
    await expectTraceError(() => govern('Org1MSP', true, 'InitConsortium', seed), 'CONFLICT');
  });

  it('grants a new role by governance; the member may then trade', async () => {
    const gln = gs1('761000000001');
    await expectTraceError(() => h.submit(AUDITOR, 'RegisterLocation', location(gln)), 'FORBIDDEN');
    await govern(RETAILER, true, 'SetMember', { mspId: 'CarrierMSP', displayName: 'Carrier GmbH', roles: ['carrier'], gs1Prefixes: ['7610'] });
    await h.submit('CarrierMSP', 'RegisterLocation', location(gln));
    expect((await members()).find((m) => m.mspId === 'CarrierMSP')).to.include({ displayName: 'Carrier GmbH' });
  });

  it('refuses governance from a non-admin, a member without the governance role and a non-member, changing nothing', async () => {
    const before = await members();
    const change = { mspId: AUDITOR, displayName: 'Auditor', roles: ['auditor', 'supplier'] };
    await expectTraceError(() => govern(RETAILER, false, 'SetMember', change), 'FORBIDDEN');
    await expectTraceError(() => govern(SUPPLIER, true, 'SetMember', change), 'FORBIDDEN');
    await expectTraceError(() => govern('StrangerMSP', true, 'SetMember', change), 'FORBIDDEN');
    expect(await members()).to.deep.equal(before);
  });

  it('keeps the auditor role from moving stock, and a member stripped of trading roles too', async () => {
    await expectTraceError(() => h.submit(AUDITOR, 'RegisterLocation', location(gs1('761000000002'))), 'FORBIDDEN');
    await govern(RETAILER, true, 'SetMember', { mspId: SUPPLIER, displayName: 'Supplier', roles: ['auditor'] });
    await expectTraceError(() => h.submit(SUPPLIER, 'RegisterLocation', location(gs1('761000000003'))), 'FORBIDDEN');
  });

  it('never leaves the consortium without a governing member, and names bad roles', async () => {
    await expectTraceError(() => govern(RETAILER, true, 'SetMember', { mspId: RETAILER, displayName: 'Retailer', roles: ['retailer'] }), 'CONFLICT', 'roles');
    await expectTraceError(() => govern(RETAILER, true, 'RemoveMember', { mspId: RETAILER }), 'CONFLICT');
    await expectTraceError(() => govern(RETAILER, true, 'SetMember', { mspId: 'X', displayName: 'X', roles: ['king'] }), 'INVALID_ARGUMENT', 'roles[0]');
  });
});
