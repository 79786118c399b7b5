import { expect } from 'chai';
import { createEndorsementResolver } from '../../../gateway/src/submission/endorsement';
import type { LedgerClient } from '../../../lib/fabric/src';

/** A ledger that knows one shipment and the peers of `orgs`. */
function ledgerOf(self: string, orgs: string[], shipment: { senderMsp: string; receiverMsp: string }): LedgerClient {
  return {
    mspId: self,
    peers: () => orgs.map((o) => ({ name: `peer0.${o}:7051`, mspId: o })),
    evaluate: async () => Buffer.from(JSON.stringify({ shipment })),
  } as unknown as LedgerClient;
}

describe('custody endorsement set', () => {
  const hint = { kind: 'shipment' as const, shipmentId: 'SH-1' };

  it('is the two parties in a channel of three', async () => {
    const r = createEndorsementResolver({ ledger: ledgerOf('Org1MSP', ['Org1MSP', 'Org2MSP', 'Org3MSP'], { senderMsp: 'Org2MSP', receiverMsp: 'Org3MSP' }) });
    expect(await r.resolve(hint)).to.deep.equal(['Org2MSP', 'Org3MSP']);
  });

  it('adds organisations up to the majority of a larger channel, the submitter first', async () => {
    const orgs = ['Org1MSP', 'Org2MSP', 'Org3MSP', 'Org4MSP', 'Org5MSP', 'Org6MSP', 'Org7MSP'];
    const r = createEndorsementResolver({ ledger: ledgerOf('Org6MSP', orgs, { senderMsp: 'Org2MSP', receiverMsp: 'Org3MSP' }) });
    const set = await r.resolve(hint);
    expect(set).to.have.length(4);
    expect(set).to.include.members(['Org2MSP', 'Org3MSP', 'Org6MSP']);
  });

  it('adds a second organisation when sender and receiver are one', async () => {
    const r = createEndorsementResolver({ ledger: ledgerOf('Org1MSP', ['Org1MSP', 'Org2MSP', 'Org3MSP'], { senderMsp: 'Org2MSP', receiverMsp: 'Org2MSP' }) });
    expect(await r.resolve(hint)).to.deep.equal(['Org1MSP', 'Org2MSP']);
  });
});
