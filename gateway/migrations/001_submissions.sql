-- Idempotency keys and the asynchronous submission queue.
-- Tables are created IF NOT EXISTS: databases set up before numbered migrations already have them.
CREATE TABLE IF NOT EXISTS gateway.idempotency (
  scope text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  state text NOT NULL CHECK (state IN ('in_progress', 'done')),
  status int,
  headers jsonb,
  body jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);
CREATE TABLE IF NOT EXISTS gateway.submissions (
  id uuid PRIMARY KEY,
  msp_id text NOT NULL,
  client_id text NOT NULL,
  event_id text NOT NULL,
  fn text NOT NULL,
  command jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'running', 'committed', 'failed')),
  attempts int NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  locked_until timestamptz,
  tx_id text,
  block_number bigint,
  result jsonb,
  error jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS submissions_due ON gateway.submissions (msp_id, next_attempt_at) WHERE status IN ('pending', 'running');
