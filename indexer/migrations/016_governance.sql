-- The consortium registry and its governance, from the consortium contract's
-- ConsortiumChanged events: the registry entries as last set (a removed member
-- keeps its row, marked removed), every proposal as it last stood, and one row
-- per organisation that proposed or approved it.
CREATE TABLE consortium_members (
  msp_id        text PRIMARY KEY,
  display_name  text    NOT NULL,
  roles         text[]  NOT NULL,
  gs1_prefixes  text[],
  removed       boolean NOT NULL,
  tx_id         text    NOT NULL,
  block_number  bigint  NOT NULL
);

CREATE TABLE governance_proposals (
  proposal_id    text PRIMARY KEY,
  kind           text        NOT NULL,
  msp_id         text        NOT NULL,
  change         jsonb       NOT NULL,
  proposed_by    text        NOT NULL,
  proposed_at    timestamptz NOT NULL,
  expires_at     timestamptz NOT NULL,
  -- Expiry is not a transaction: an open proposal past expires_at reads as expired.
  status         text        NOT NULL CHECK (status IN ('open', 'applied')),
  approved_by    text[]      NOT NULL,
  required       integer     NOT NULL,
  applied_at     timestamptz,
  applied_tx_id  text,
  tx_id          text        NOT NULL,
  block_number   bigint      NOT NULL
);
CREATE INDEX governance_proposals_open ON governance_proposals (expires_at) WHERE status = 'open';

CREATE TABLE governance_approvals (
  proposal_id   text        NOT NULL,
  msp_id        text        NOT NULL,
  action        text        NOT NULL CHECK (action IN ('proposed', 'approved')),
  approved_at   timestamptz NOT NULL,
  applied       boolean     NOT NULL,
  tx_id         text        NOT NULL,
  block_number  bigint      NOT NULL,
  tx_index      integer     NOT NULL,
  PRIMARY KEY (proposal_id, msp_id)
);
