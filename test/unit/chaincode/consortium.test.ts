import './quiet-logs';
import { expect } from 'chai';
import { createGovernance, type Governance } from './governance-harness';
import { AUDITOR, Harness, RETAILER, SUPPLIER, expectTraceError, gs1 } from './harness';

describe('consortium registry and roles', () => {
  let h: Harness;
  let gov: Governance;
  /** A change proposed by the retailer's admin: with one governing member, it applies at once. */
  const change = (c: Record<string, unknown>, msp = RETAILER, as: 'admin' | 'user' | 'forged' = 'admin') => gov.tx(msp, as, 'ProposeChange', { change: c });

  const location = (gln: string) => ({ eventId: `loc-${gln}`, gln, name: 'Roastery', type: 'roastery', address: { country: 'DE' } });

  before(async () => {
    gov = await createGovernance(() => h);
  });

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
    await expectTraceError(() => gov.tx('Org1MSP', 'user', 'InitConsortium', seed), 'FORBIDDEN');
    await expectTraceError(() => gov.tx('Org1MSP', 'forged', 'InitConsortium', seed), 'FORBIDDEN');
    await expectTraceError(() => gov.tx('Org2MSP', 'admin', 'InitConsortium', seed), 'FORBIDDEN');
    await gov.tx('Org1MSP', 'admin', 'InitConsortium', seed);
    expect((await gov.members()).map((m) => `${m.mspId}:${m.roles.join('+')}`)).to.deep.equal(['Org1MSP:governance+retailer', 'Org2MSP:supplier']);
    await expectTraceError(() => gov.tx('Org1MSP', 'admin', 'InitConsortium', seed), 'CONFLICT');
  });

  it('grants a new role by governance; the member may then trade', async () => {
    const gln = gs1('761000000001');
    await expectTraceError(() => h.submit(AUDITOR, 'RegisterLocation', location(gln)), 'FORBIDDEN');
    const { result } = await change({ kind: 'set-member', mspId: 'CarrierMSP', displayName: 'Carrier GmbH', roles: ['carrier'], gs1Prefixes: ['7610'] });
    expect(result.proposal).to.include({ status: 'applied', required: 1 });
    await h.submit('CarrierMSP', 'RegisterLocation', location(gln));
    expect((await gov.members()).find((m) => m.mspId === 'CarrierMSP')).to.include({ displayName: 'Carrier GmbH' });
  });

  it('refuses governance from a non-admin, a forged admin name, a member without the governance role and a non-member, changing nothing', async () => {
    const before = await gov.members();
    const c = { kind: 'set-member', mspId: AUDITOR, displayName: 'Auditor', roles: ['auditor', 'supplier'] };
    await expectTraceError(() => change(c, RETAILER, 'user'), 'FORBIDDEN');
    await expectTraceError(() => change(c, RETAILER, 'forged'), 'FORBIDDEN');
    await expectTraceError(() => change(c, SUPPLIER), 'FORBIDDEN');
    await expectTraceError(() => change(c, 'StrangerMSP'), 'FORBIDDEN');
    expect(await gov.members()).to.deep.equal(before);
    expect(await gov.proposals()).to.deep.equal([]);
  });

  it('keeps the auditor role from moving stock, and a member stripped of trading roles too', async () => {
    await expectTraceError(() => h.submit(AUDITOR, 'RegisterLocation', location(gs1('761000000002'))), 'FORBIDDEN');
    await change({ kind: 'set-member', mspId: SUPPLIER, displayName: 'Supplier', roles: ['auditor'] });
    await expectTraceError(() => h.submit(SUPPLIER, 'RegisterLocation', location(gs1('761000000003'))), 'FORBIDDEN');
  });

  it('never leaves the consortium without a governing member, and names bad input', async () => {
    await expectTraceError(() => change({ kind: 'set-member', mspId: RETAILER, displayName: 'Retailer', roles: ['retailer'] }), 'CONFLICT', 'change.roles');
    await expectTraceError(() => change({ kind: 'remove-member', mspId: RETAILER }), 'CONFLICT', 'change.mspId');
    await expectTraceError(() => change({ kind: 'set-member', mspId: 'X', displayName: 'X', roles: ['king'] }), 'INVALID_ARGUMENT', 'change.roles[0]');
    await expectTraceError(() => change({ kind: 'crown', mspId: 'X' }), 'INVALID_ARGUMENT', 'change.kind');
    await expectTraceError(() => change({ kind: 'remove-member', mspId: 'NobodyMSP' }), 'NOT_FOUND', 'change.mspId');
    await expectTraceError(() => change({ kind: 'set-prefixes', mspId: SUPPLIER, gs1Prefixes: ['76a'] }), 'INVALID_ARGUMENT', 'change.gs1Prefixes[0]');
  });
});
