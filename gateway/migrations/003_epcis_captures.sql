-- EPCIS capture jobs, submitted in order by the capture worker.
-- Tables are created IF NOT EXISTS: databases set up before numbered migrations already have them.
CREATE TABLE IF NOT EXISTS gateway.epcis_captures (
  id uuid PRIMARY KEY,
  msp_id text NOT NULL,
  client_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('running', 'success', 'failed')),
  event_count int NOT NULL,
  commands jsonb NOT NULL,
  next_index int NOT NULL DEFAULT 0,
  results jsonb NOT NULL DEFAULT '[]'::jsonb,
  errors jsonb NOT NULL DEFAULT '[]'::jsonb,
  attempts int NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  locked_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX IF NOT EXISTS epcis_captures_due ON gateway.epcis_captures (msp_id, next_attempt_at) WHERE status = 'running';
