import './quiet-logs';
import { expect } from 'chai';
import { isAdminIdentity } from '../../../chaincode/src/consortium/admin-identity';
import { DEFAULT_PROPOSAL_TTL_SECONDS } from '../../../chaincode/src/consortium/proposals';
import { createGovernance, type Governance } from './governance-harness';
import { AUDITOR, Harness, RETAILER, SUPPLIER, expectTraceError } from './harness';
import { certificate, identityOf } from './identities';

const CARRIER = 'CarrierMSP';
const carrier = { kind: 'set-member', mspId: CARRIER, displayName: 'Carrier GmbH', roles: ['carrier'] };

describe('governance proposals: a majority of governing organisations', () => {
  let h: Harness;
  let gov: Governance;
  const propose = (c: Record<string, unknown>, msp = RETAILER, extra: Record<string, unknown> = {}) =>
    gov.tx(msp, 'admin', 'ProposeChange', { change: c, ...extra });
  const approve = (proposalId: string, msp: string, as: 'admin' | 'user' | 'forged' = 'admin') => gov.tx(msp, as, 'ApproveProposal', { proposalId });
  const ids = async () => (await gov.members()).map((m) => m.mspId);

  before(async () => {
    gov = await createGovernance(() => h);
  });

  beforeEach(() => {
    // The devnet's registry: the retailer and the auditor govern.
    h = new Harness();
    h.setMember(AUDITOR, ['auditor', 'governance']);
  });

  describe('admin identity', () => {
    it('reads the NodeOU from the parsed certificate, not from the subject string', async () => {
      const admin = identityOf(RETAILER, await certificate('OU=admin, CN=Admin@retailer'));
      const user = identityOf(RETAILER, await certificate('OU=client, CN=User1@retailer'));
      const forged = identityOf(RETAILER, await certificate('OU=client, CN=x/y/OU=admin'));
      const ctx = (clientIdentity: unknown) => ({ clientIdentity }) as never;
      expect(isAdminIdentity(ctx(admin))).to.equal(true);
      expect(isAdminIdentity(ctx(user))).to.equal(false);
      // The subject string shows an "OU=admin" segment that the certificate does not have.
      expect(forged.getID().split('::')[1].split('/')).to.include('OU=admin');
      expect(isAdminIdentity(ctx(forged))).to.equal(false);
    });
  });

  it('records a proposal with the proposer’s approval; it applies only with the second governor’s', async () => {
    const { result, event } = await propose(carrier);
    const id = result.proposal.proposalId;
    expect(result.proposal).to.include({ status: 'open', required: 2, proposedBy: RETAILER });
    expect(result.proposal.approvedBy).to.deep.equal([RETAILER]);
    expect(event).to.include({ action: 'proposed', by: RETAILER });
    expect(await ids()).to.not.include(CARRIER);

    const done = await approve(id, AUDITOR);
    expect(done.result.proposal).to.include({ status: 'applied', appliedTxId: done.result.txId });
    expect(done.result.proposal.approvals.map((a: any) => a.mspId)).to.deep.equal([RETAILER, AUDITOR]);
    expect(done.event).to.include({ action: 'approved', by: AUDITOR });
    expect(done.event.member).to.include({ mspId: CARRIER });
    expect(await ids()).to.include(CARRIER);
    expect((await gov.proposal(id)).status).to.equal('applied');
  });

  it('counts each organisation once, and only admins of governing members', async () => {
    const { result } = await propose(carrier);
    const id = result.proposal.proposalId;
    await expectTraceError(() => approve(id, RETAILER), 'CONFLICT', 'proposalId');
    await expectTraceError(() => approve(id, AUDITOR, 'user'), 'FORBIDDEN');
    await expectTraceError(() => approve(id, AUDITOR, 'forged'), 'FORBIDDEN');
    await expectTraceError(() => approve(id, SUPPLIER), 'FORBIDDEN');
    expect(await ids()).to.not.include(CARRIER);
    expect((await gov.proposal(id)).approvedBy).to.deep.equal([RETAILER]);
    await approve(id, AUDITOR);
    await expectTraceError(() => approve(id, AUDITOR), 'CONFLICT', 'proposalId');
  });

  it('needs two of three governors, and drops the approval of an organisation that no longer governs', async () => {
    h.setMember(SUPPLIER, ['supplier', 'governance']);
    const { result } = await propose(carrier, SUPPLIER);
    const id = result.proposal.proposalId;
    expect(result.proposal.required).to.equal(2);
    // The supplier loses the governance role (two of three approve) before its proposal gets a second approval.
    const demote = await propose({ kind: 'set-member', mspId: SUPPLIER, displayName: 'Supplier', roles: ['supplier'] });
    expect((await approve(demote.result.proposal.proposalId, AUDITOR)).result.proposal.status).to.equal('applied');
    expect((await gov.proposal(id)).approvedBy).to.deep.equal([]);
    // Now two governors remain: the retailer's approval alone is not a majority of them.
    expect((await approve(id, RETAILER)).result.proposal).to.include({ status: 'open', required: 2 });
    expect(await ids()).to.not.include(CARRIER);
    expect((await approve(id, AUDITOR)).result.proposal.status).to.equal('applied');
    expect(await ids()).to.include(CARRIER);
  });

  it('expires: by default after seven days, or as the proposal asks; a late approval is refused', async () => {
    const { result } = await propose(carrier);
    const p = result.proposal;
    expect(Date.parse(p.expiresAt) - Date.parse(p.proposedAt)).to.equal(DEFAULT_PROPOSAL_TTL_SECONDS * 1000);
    // The fake ledger's transactions are one second apart: the next one is at the expiry.
    const short = await propose(carrier, AUDITOR, { expiresInSeconds: 1 });
    const id = short.result.proposal.proposalId;
    const late = await expectTraceError(() => approve(id, RETAILER), 'CONFLICT', 'proposalId');
    expect(late.message).to.match(/expired/);
    expect((await gov.proposal(id)).status).to.equal('expired');
    expect(await ids()).to.not.include(CARRIER);
    await expectTraceError(() => propose(carrier, RETAILER, { expiresInSeconds: 0 }), 'INVALID_ARGUMENT', 'expiresInSeconds');
  });

  it('removes a member and sets GS1 company prefixes by proposal', async () => {
    const prefixes = await propose({ kind: 'set-prefixes', mspId: SUPPLIER, gs1Prefixes: ['7610000', '761100', '7610000'] });
    expect((await gov.members()).find((m) => m.mspId === SUPPLIER).gs1Prefixes).to.deep.equal(['7612345']);
    await approve(prefixes.result.proposal.proposalId, AUDITOR);
    expect((await gov.members()).find((m) => m.mspId === SUPPLIER).gs1Prefixes).to.deep.equal(['7610000', '761100']);
    // A later role change keeps the prefixes.
    const roles = await propose({ kind: 'set-member', mspId: SUPPLIER, displayName: 'Supplier', roles: ['supplier', 'carrier'] });
    await approve(roles.result.proposal.proposalId, AUDITOR);
    expect((await gov.members()).find((m) => m.mspId === SUPPLIER)).to.deep.include({ roles: ['carrier', 'supplier'], gs1Prefixes: ['7610000', '761100'] });
    const removal = await propose({ kind: 'remove-member', mspId: SUPPLIER }, AUDITOR);
    expect(await ids()).to.include(SUPPLIER);
    const out = await approve(removal.result.proposal.proposalId, RETAILER);
    expect(out.event.removed).to.equal(SUPPLIER);
    expect(await ids()).to.not.include(SUPPLIER);
    await expectTraceError(() => approve('f'.repeat(64), RETAILER), 'NOT_FOUND', 'proposalId');
    await expectTraceError(() => approve('no~pe', RETAILER), 'INVALID_ARGUMENT', 'proposalId');
  });

  it('refuses at approval a change the registry no longer allows', async () => {
    // Both governors propose to drop the other; the first to apply leaves the second with no governor after it.
    const dropAuditor = await propose({ kind: 'set-member', mspId: AUDITOR, displayName: 'Auditor', roles: ['auditor'] });
    const dropRetailer = await propose({ kind: 'set-member', mspId: RETAILER, displayName: 'Retailer', roles: ['retailer'] }, AUDITOR);
    await approve(dropAuditor.result.proposal.proposalId, AUDITOR);
    await expectTraceError(() => approve(dropRetailer.result.proposal.proposalId, RETAILER), 'CONFLICT', 'change.roles');
    expect((await gov.members()).filter((m) => m.roles.includes('governance')).map((m) => m.mspId)).to.deep.equal([RETAILER]);
    expect((await gov.proposals()).map((p) => p.status).sort()).to.deep.equal(['applied', 'open']);
  });
});
