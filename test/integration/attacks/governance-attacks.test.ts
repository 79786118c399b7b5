/**
 * Attacks on governance and payments by a member acting on its own, on the
 * shared devnet (the retailer and the auditor govern): a membership change by
 * one admin, a proposal approved by one of two governors, an expired proposal
 * approved late, and a payment recorded by the buyer straight through its own
 * Fabric client, without the payee. Each leaves the registry or the order as
 * it was; the registry is restored at the end.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { type LedgerClient } from '../../../lib/fabric/src';
import { ServiceError } from '../../../lib/platform/src';
import { connectDevnet } from '../../../network/src/connect-devnet';
import { sharedDevnet } from '../../fixtures/test-devnet';
import { AUDITOR, RETAILER, SUPPLIER, closeAll, connectAll, eventId, submitJson, uniqueGtin, type Orgs } from '../chaincode/ledger-fixtures';

type Member = { mspId: string; roles: string[] };

describe('attacks: governance by one organisation, payments without the payee', function () {
  this.timeout(180_000);
  let users: Orgs;
  const admins: Record<string, LedgerClient> = {};
  const stamp = randomUUID().slice(0, 8);
  const newcomer = (tag: string) => ({ mspId: `Rogue${tag}${stamp}MSP`, displayName: `Rogue ${tag}`, roles: ['supplier'] });

  const members = async (): Promise<Member[]> =>
    JSON.parse((await users[AUDITOR].evaluate({ contract: 'consortium', fn: 'GetMembers' })).toString('utf8')).members;
  const registry = async () => (await members()).map((m) => `${m.mspId}:${[...m.roles].sort().join('+')}`);
  const consortium = async (client: LedgerClient, fn: string, body: unknown): Promise<any> =>
    JSON.parse((await client.submit({ contract: 'consortium', fn, args: [JSON.stringify(body)] })).payload.toString('utf8'));
  async function refused(run: () => Promise<unknown>): Promise<ServiceError> {
    try {
      await run();
    } catch (err) {
      expect(err).to.be.instanceOf(ServiceError);
      return err as ServiceError;
    }
    throw new Error('the attack succeeded');
  }

  before(async () => {
    users = await connectAll();
    for (const msp of [RETAILER, SUPPLIER, AUDITOR]) admins[msp] = await connectDevnet(sharedDevnet(), msp, 'admin');
  });

  after(async () => {
    // Take out the members this file added (both governors approve), and any an attack that succeeded left behind.
    for (const m of await members().catch(() => [] as Member[])) {
      if (!m.mspId.includes(stamp)) continue;
      await consortium(admins[RETAILER], 'ProposeChange', { change: { kind: 'remove-member', mspId: m.mspId } })
        .then((r) => r.proposal.status === 'applied' || consortium(admins[AUDITOR], 'ApproveProposal', { proposalId: r.proposal.proposalId }))
        .catch(() => undefined);
    }
    closeAll(users);
    closeAll(admins);
  });

  it('a membership change by one admin has no effect', async () => {
    const before = await registry();
    const rogue = newcomer('One');
    // The direct change of the single-governor days, then a proposal nobody else approves.
    await refused(() => consortium(admins[RETAILER], 'SetMember', rogue));
    await refused(() => consortium(admins[RETAILER], 'RemoveMember', { mspId: SUPPLIER }));
    const proposed = await consortium(admins[RETAILER], 'ProposeChange', { change: { kind: 'set-member', ...rogue } });
    expect(proposed.proposal.status).to.equal('open');
    expect(proposed.proposal.required).to.equal(2);
    expect(await registry()).to.deep.equal(before);
    // Approving its own proposal again does not count twice.
    const again = await refused(() => consortium(admins[RETAILER], 'ApproveProposal', { proposalId: proposed.proposal.proposalId }));
    expect(again.code).to.equal('CONFLICT');
    expect(await registry()).to.deep.equal(before);
  });

  it('a proposal approved by one of two governors has no effect; by both it does', async () => {
    const before = await registry();
    const rogue = newcomer('Two');
    const { proposal } = await consortium(admins[RETAILER], 'ProposeChange', { change: { kind: 'set-member', ...rogue } });
    expect(proposal.approvedBy).to.deep.equal([RETAILER]);
    expect(await registry()).to.deep.equal(before);
    // A governor's non-admin user and a non-governing member's admin do not count.
    expect((await refused(() => consortium(users[AUDITOR], 'ApproveProposal', { proposalId: proposal.proposalId }))).code).to.equal('FORBIDDEN');
    expect((await refused(() => consortium(admins[SUPPLIER], 'ApproveProposal', { proposalId: proposal.proposalId }))).code).to.equal('FORBIDDEN');
    expect(await registry()).to.deep.equal(before);
    const approved = await consortium(admins[AUDITOR], 'ApproveProposal', { proposalId: proposal.proposalId });
    expect(approved.proposal).to.include({ status: 'applied' });
    expect(approved.proposal.approvedBy).to.deep.equal([RETAILER, AUDITOR]);
    expect(await registry()).to.include(`${rogue.mspId}:supplier`);
    const stored = JSON.parse((await users[SUPPLIER].evaluate({ contract: 'consortium', fn: 'GetProposal', args: [proposal.proposalId] })).toString('utf8'));
    expect(stored.proposal.status).to.equal('applied');
  });

  it('an expired proposal cannot be approved', async () => {
    const before = await registry();
    const rogue = newcomer('Late');
    const { proposal } = await consortium(admins[AUDITOR], 'ProposeChange', { change: { kind: 'set-member', ...rogue }, expiresInSeconds: 1 });
    await new Promise((r) => setTimeout(r, 2500));
    const late = await refused(() => consortium(admins[RETAILER], 'ApproveProposal', { proposalId: proposal.proposalId }));
    expect(late.code).to.equal('CONFLICT');
    expect(late.message).to.match(/expired/);
    expect(await registry()).to.deep.equal(before);
  });

  it('a payment recorded by the buyer without the payee is refused', async () => {
    const gtin = uniqueGtin(RETAILER);
    const poId = `PO-ATK-${stamp}`;
    const payee = `0x${'5'.repeat(40)}`;
    await submitJson(users[RETAILER], 'RegisterProduct', { eventId: eventId('atk'), gtin, description: 'Green coffee', unit: 'KGM' });
    const terms = { paymentTerms: { chainId: 31337, asset: 'native', decimals: 18, amount: '1', payee }, salt: randomUUID().replace(/-/g, '') };
    await users[RETAILER].submit({
      contract: 'traceability',
      fn: 'CreatePurchaseOrder',
      args: [JSON.stringify({ eventId: eventId('atk'), poId, supplierMsp: SUPPLIER, lines: [{ gtin, quantity: '10' }] })],
      transient: { terms: Buffer.from(JSON.stringify(terms)) },
      endorsingOrgs: [RETAILER, SUPPLIER],
    });
    const held = JSON.parse((await users[RETAILER].evaluate({ contract: 'traceability', fn: 'GetPurchaseOrder', args: [poId] })).toString('utf8')).terms;
    // The transfer and the buyer's copy of the terms as transient data, as a payee's gateway sends them.
    const pay = (client: LedgerClient, txHash: string, endorsingOrgs: string[]) =>
      client.submit({
        contract: 'traceability',
        fn: 'RecordPayment',
        args: [JSON.stringify({ eventId: eventId('atk'), poId, chainId: 31337, txHash, blockNumber: 1 })],
        transient: {
          terms: Buffer.from(JSON.stringify(held)),
          payment: Buffer.from(JSON.stringify({ asset: 'native', from: `0x${'6'.repeat(40)}`, to: payee, amountBaseUnits: '1000000000000000000' })),
        },
        endorsingOrgs,
      });
    // The buyer's own Fabric client, no gateway, endorsed by its own and another peer.
    const forged = await refused(() => pay(users[RETAILER], `0x${'ab'.repeat(32)}`, [AUDITOR, RETAILER]));
    expect(forged.code).to.equal('FORBIDDEN');
    // With the payee's peer among the endorsers it is still the buyer's word, and refused.
    const withPeer = await refused(() => pay(users[RETAILER], `0x${'ac'.repeat(32)}`, [RETAILER, SUPPLIER]));
    expect(withPeer.code).to.equal('FORBIDDEN');
    const order = JSON.parse((await users[RETAILER].evaluate({ contract: 'traceability', fn: 'GetPurchaseOrder', args: [poId] })).toString('utf8'));
    expect(order.order.status).to.equal('open');
    // The payee records it (after its gateway's verification), endorsed by its own peer and the buyer's (the amounts go to both parties' collections).
    const res = await pay(users[SUPPLIER], `0x${'ad'.repeat(32)}`, [RETAILER, SUPPLIER]);
    expect(JSON.parse(res.payload.toString('utf8')).order.status).to.equal('paid');
  });
});
