-- Who may see a transaction of the ledger view (indexer/src/query/visibility.ts, VISIBLE.transaction)
-- is decided by the facts it wrote, looked up by tx_id: each lookup reads an index.
CREATE INDEX custody_events_tx_id ON custody_events (tx_id);
CREATE INDEX purchase_orders_tx_id ON purchase_orders (tx_id);
CREATE INDEX recalls_tx_id ON recalls (tx_id);
CREATE INDEX governance_approvals_tx_id ON governance_approvals (tx_id);
CREATE INDEX consortium_members_tx_id ON consortium_members (tx_id);
