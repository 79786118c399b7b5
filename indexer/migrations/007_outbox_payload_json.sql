-- The outbox payload is published as written. `json` keeps that text and only
-- checks its syntax on insert; `jsonb` parsed it into a binary form that the
-- relay turned back into text for every message.
ALTER TABLE outbox ALTER COLUMN payload TYPE json USING payload::json;
