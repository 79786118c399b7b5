/**
 * Roles as ledger data on the real devnet: the registry `network up` seeded,
 * a governance change by the retailer's admin (endorsed by the channel's
 * majority) taking effect, the same change refused from a non-admin, a member
 * without the governance role and a non-member, and the auditor role never
 * moving stock. The registry is restored at the end.
 */
import { expect } from 'chai';
import { type LedgerClient } from '../../../lib/fabric/src';
import { ServiceError } from '../../../lib/platform/src';
import { connectDevnet } from '../../../network/src/connect-devnet';
import { DEVNET_MEMBERS } from '../../../network/src/consortium-seed';
import { sharedDevnet } from '../../fixtures/test-devnet';
import { AUDITOR, RETAILER, SUPPLIER, closeAll, connectAll, eventId, submitJson, uniqueGln, uniqueGtin, type Orgs } from './ledger-fixtures';

describe('consortium registry on the devnet', function () {
  this.timeout(180_000);
  let users: Orgs;
  const admins: Record<string, LedgerClient> = {};

  const members = async (): Promise<Array<{ mspId: string; roles: string[] }>> =>
    JSON.parse((await users[AUDITOR].evaluate({ contract: 'consortium', fn: 'GetMembers' })).toString('utf8')).members;
  const govern = (client: LedgerClient, fn: 'SetMember' | 'RemoveMember', body: unknown) =>
    client.submit({ contract: 'consortium', fn, args: [JSON.stringify(body)] });
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
  const auditorSeed = { mspId: AUDITOR, displayName: DEVNET_MEMBERS[AUDITOR].displayName, roles: DEVNET_MEMBERS[AUDITOR].roles };

  before(async () => {
    users = await connectAll();
    for (const msp of [RETAILER, SUPPLIER, AUDITOR]) admins[msp] = await connectDevnet(sharedDevnet(), msp, 'admin');
  });

  after(async () => {
    // Leave the registry as network up seeded it, whatever a failed step left behind.
    await govern(admins[RETAILER], 'SetMember', auditorSeed).catch(() => undefined);
    closeAll(users);
    closeAll(admins);
  });

  it('starts with the members network up seeded', async () => {
    const seeded = await members();
    expect(seeded.map((m) => `${m.mspId}:${[...m.roles].sort().join('+')}`)).to.deep.equal([
      'AuditorMSP:auditor',
      'RetailerMSP:governance+retailer',
      'SupplierMSP:supplier',
    ]);
  });

  it('refuses the change from a non-admin, a member without the governance role and a non-member; nothing changes', async () => {
    const before = await members();
    const grant = { ...auditorSeed, roles: ['auditor', 'supplier'] };
    await forbidden('a non-admin of the governing member', () => govern(users[RETAILER], 'SetMember', grant));
    await forbidden('an admin of a member without the governance role', () => govern(admins[SUPPLIER], 'SetMember', grant));
    // Take the auditor out of the consortium: its admin is then an identity of a non-member.
    await govern(admins[RETAILER], 'RemoveMember', { mspId: AUDITOR });
    const msg = await forbidden('an admin of a non-member', () => govern(admins[AUDITOR], 'SetMember', grant));
    expect(msg).to.include('not a member');
    await govern(admins[RETAILER], 'SetMember', auditorSeed);
    expect((await members()).map(strip)).to.deep.equal(before.map(strip));
  });

  it('grants the supplier role by governance and the member may then record what a supplier records', async () => {
    const gln = uniqueGln();
    await forbidden('the auditor registering a location', () => submitJson(users[AUDITOR], 'RegisterLocation', location(gln)));
    const granted = await govern(admins[RETAILER], 'SetMember', { ...auditorSeed, roles: ['auditor', 'supplier'] });
    // The governance transaction carries the endorsements of a majority of the channel's organisations.
    const block = await users[AUDITOR].blockByTxId(granted.txId);
    const tx = block.transactions.find((t) => t.txId === granted.txId)!;
    expect(new Set(tx.endorserMspIds).size).to.be.at.least(2);
    const { result } = await submitJson(users[AUDITOR], 'RegisterLocation', location(gln));
    expect(result.location.ownerMsp).to.equal(AUDITOR);
  });

  it('keeps the auditor role from moving stock once the grant is withdrawn', async () => {
    const gln = uniqueGln();
    await govern(admins[RETAILER], 'SetMember', { ...auditorSeed, roles: ['auditor', 'supplier'] });
    await submitJson(users[AUDITOR], 'RegisterLocation', location(gln));
    const gtin = uniqueGtin();
    await submitJson(users[AUDITOR], 'RegisterProduct', { eventId: eventId('gov'), gtin, description: 'Sample beans', unit: 'KGM' });
    await govern(admins[RETAILER], 'SetMember', auditorSeed);
    await forbidden('the auditor commissioning a lot', () =>
      submitJson(users[AUDITOR], 'CommissionLot', { eventId: eventId('gov'), gln, gtin, lotCode: 'AUD-1', quantity: '1' }),
    );
  });
});

const strip = (m: { mspId: string; roles: string[] }) => `${m.mspId}:${[...m.roles].sort().join('+')}`;
