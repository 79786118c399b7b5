import '../chaincode/quiet-logs';
import { expect } from 'chai';
import { CONSORTIUM_EVENT_NAME, projectGovernance } from '../../../indexer/src/projection/project-governance';
import { RowBuffer } from '../../../indexer/src/projection/row-buffer';
import { T } from '../../../indexer/src/projection/tables';
import type { LedgerTransaction } from '../../../lib/fabric/src';
import { createGovernance } from '../chaincode/governance-harness';
import { AUDITOR, Harness, RETAILER } from '../chaincode/harness';

const txOf = (event: unknown, index: number): LedgerTransaction =>
  ({
    txId: `tx-${index}`,
    index,
    validationCode: 'VALID',
    type: 'ENDORSER_TRANSACTION',
    timestamp: '2026-01-01T00:00:00.000Z',
    event: { name: CONSORTIUM_EVENT_NAME, payload: Buffer.from(JSON.stringify(event)) },
  }) as unknown as LedgerTransaction;

describe('indexer: governance projection from the consortium contract’s events', () => {
  it('keeps the proposal as it last stood, one approval row per organisation, and the registry entry it applied', async () => {
    const h = new Harness();
    h.setMember(AUDITOR, ['auditor', 'governance']);
    const gov = await createGovernance(() => h);
    const proposed = await gov.tx(RETAILER, 'admin', 'ProposeChange', {
      change: { kind: 'set-member', mspId: 'CarrierMSP', displayName: 'Carrier', roles: ['carrier'] },
    });
    const approved = await gov.tx(AUDITOR, 'admin', 'ApproveProposal', { proposalId: proposed.result.proposal.proposalId });
    const removal = await gov.tx(AUDITOR, 'admin', 'ProposeChange', { change: { kind: 'remove-member', mspId: 'CarrierMSP' } });
    const removed = await gov.tx(RETAILER, 'admin', 'ApproveProposal', { proposalId: removal.result.proposal.proposalId });

    const rows = new RowBuffer();
    [proposed, approved, removal, removed].forEach((t, i) => projectGovernance(rows, txOf(t.event, i), '7'));
    expect(rows.count(T.governanceProposals)).to.equal(2);
    expect(rows.count(T.governanceApprovals)).to.equal(4);
    expect(rows.count(T.consortiumMembers)).to.equal(1);
    const sql = rows.toSql();
    // The upsert keeps the last version: both proposals applied; the carrier's entry marked removed.
    expect(sql.match(/'applied'/g)).to.have.length(2);
    expect(sql).to.match(/INSERT INTO consortium_members[^;]*'CarrierMSP', '', '{}', NULL, 't'/);
    expect(sql).to.match(/INSERT INTO governance_approvals[^;]*'proposed'[^;]*'approved'/);
  });
});
