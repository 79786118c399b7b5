/**
 * Roles as ledger data on the real devnet: the registry `network up` seeded
 * (the retailer and the auditor govern), a change proposed by one governor's
 * admin and approved by the other's taking effect (endorsed by the channel's
 * majority), proposals refused from a non-admin, a member without the
 * governance role and a non-member, and the auditor role never moving stock.
 * The registry is restored at the end.
 */
import { expect } from 'chai';
import { type LedgerClient } from '../../../lib/fabric/src';
import { ServiceError } from '../../../lib/platform/src';
import { connectDevnet } from '../../../network/src/connect-devnet';
import { governDevnet, governanceTx } from '../../../network/src/consortium-governance';
import { DEVNET_MEMBERS } from '../../../network/src/consortium-seed';
import { sharedDevnet } from '../../fixtures/test-devnet';
import { AUDITOR, RETAILER, SUPPLIER, closeAll, connectAll, eventId, submitJson, uniqueGln, uniqueGtin, type Orgs } from './ledger-fixtures';

describe('consortium registry on the devnet', function () {
  this.timeout(180_000);
  let users: Orgs;
  const admins: Record<string, LedgerClient> = {};

  const members = async (): Promise<Array<{ mspId: string; roles: string[]; gs1Prefixes?: string[] }>> =>
    JSON.parse((await users[AUDITOR].evaluate({ contract: 'consortium', fn: 'GetMembers' })).toString('utf8')).members;
  /** Proposes with one organisation's client, without anyone approving. */
  const propose = (client: LedgerClient, change: Record<string, unknown>) => governanceTx(client, 'ProposeChange', { change });
  /** Proposed and approved by both governors' admins. */
  const govern = (change: Record<string, unknown>) => governDevnet(sharedDevnet(), change as never);
  async function forbidden(what: string, run: () => Promise<unknown>): Promise<string> {
    let err: unknown;
    try {
      await run();
    } catch (e) {
      err = e;
    }
    expect(err, `${what} was allowed`).to.be.instanceOf(ServiceError);
    expect((err as ServiceError).code, `${what}: ${(err as Error).message}`).to.equal('FORBIDDEN');
    return (err as Error).message;
  }
  const location = (gln: string) => ({ eventId: eventId('gov'), gln, name: 'Audit lab', type: 'importer_warehouse', address: { country: 'CH' } });
  const auditorSeed = {
    mspId: AUDITOR,
    displayName: DEVNET_MEMBERS[AUDITOR].displayName,
    roles: DEVNET_MEMBERS[AUDITOR].roles,
    gs1Prefixes: DEVNET_MEMBERS[AUDITOR].gs1Prefixes,
  };

  before(async () => {
    users = await connectAll();
    for (const msp of [RETAILER, SUPPLIER, AUDITOR]) admins[msp] = await connectDevnet(sharedDevnet(), msp, 'admin');
  });

  after(async () => {
    // Leave the registry as network up seeded it, whatever a failed step left behind.
    await govern({ kind: 'set-member', ...auditorSeed }).catch(() => undefined);
    closeAll(users);
    closeAll(admins);
  });

  it('starts with the members network up seeded', async () => {
    const seeded = await members();
    expect(seeded.map((m) => `${m.mspId}:${[...m.roles].sort().join('+')}`)).to.deep.equal([
      'AuditorMSP:auditor+governance',
      'RetailerMSP:governance+retailer',
      'SupplierMSP:supplier',
    ]);
  });

  it('refuses proposals from a non-admin, a member without the governance role and a non-member; nothing changes', async () => {
    const before = await members();
    const grant = { kind: 'set-member', ...auditorSeed, roles: ['auditor', 'governance', 'supplier'] };
    await forbidden('a non-admin of a governing member', () => propose(users[RETAILER], grant));
    await forbidden('an admin of a member without the governance role', () => propose(admins[SUPPLIER], grant));
    // Take the supplier out of the consortium: its admin is then an identity of a non-member.
    await govern({ kind: 'remove-member', mspId: SUPPLIER });
    const msg = await forbidden('an admin of a non-member', () => propose(admins[SUPPLIER], grant));
    expect(msg).to.include('not a member');
    await govern({
      kind: 'set-member',
      mspId: SUPPLIER,
      displayName: DEVNET_MEMBERS[SUPPLIER].displayName,
      roles: DEVNET_MEMBERS[SUPPLIER].roles,
      gs1Prefixes: DEVNET_MEMBERS[SUPPLIER].gs1Prefixes,
    });
    expect((await members()).map(strip)).to.deep.equal(before.map(strip));
  });

  it('grants the supplier role by governance and the member may then record what a supplier records', async () => {
    const gln = uniqueGln(AUDITOR);
    await forbidden('the auditor registering a location', () => submitJson(users[AUDITOR], 'RegisterLocation', location(gln)));
    const { proposal, approvers } = await govern({ kind: 'set-member', ...auditorSeed, roles: ['auditor', 'governance', 'supplier'] });
    expect([...approvers].sort()).to.deep.equal([AUDITOR, RETAILER]);
    // The approval that applied it carries the endorsements of a majority of the channel's organisations.
    const status = JSON.parse((await users[SUPPLIER].evaluate({ contract: 'consortium', fn: 'GetProposal', args: [proposal.proposalId] })).toString('utf8'));
    const applied = status.proposal.appliedTxId as string;
    const block = await users[AUDITOR].blockByTxId(applied);
    const tx = block.transactions.find((t) => t.txId === applied)!;
    expect(new Set(tx.endorserMspIds).size).to.be.at.least(2);
    const { result } = await submitJson(users[AUDITOR], 'RegisterLocation', location(gln));
    expect(result.location.ownerMsp).to.equal(AUDITOR);
  });

  it('keeps the auditor role from moving stock once the grant is withdrawn', async () => {
    const gln = uniqueGln(AUDITOR);
    await govern({ kind: 'set-member', ...auditorSeed, roles: ['auditor', 'governance', 'supplier'] });
    await submitJson(users[AUDITOR], 'RegisterLocation', location(gln));
    const gtin = uniqueGtin(AUDITOR);
    await submitJson(users[AUDITOR], 'RegisterProduct', { eventId: eventId('gov'), gtin, description: 'Sample beans', unit: 'KGM' });
    await govern({ kind: 'set-member', ...auditorSeed });
    await forbidden('the auditor commissioning a lot', () =>
      submitJson(users[AUDITOR], 'CommissionLot', { eventId: eventId('gov'), gln, gtin, lotCode: 'AUD-1', quantity: '1' }),
    );
  });
});

const strip = (m: { mspId: string; roles: string[]; gs1Prefixes?: string[] }) =>
  `${m.mspId}:${[...m.roles].sort().join('+')}:${(m.gs1Prefixes ?? []).join('+')}`;
