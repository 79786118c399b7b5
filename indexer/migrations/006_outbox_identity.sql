-- Identity of this read model's outbox. The relay's Kafka transactional id and
-- the consumer group holding its published position are named after it, so a
-- new database (fresh ids) never resumes from another database's position.
CREATE TABLE outbox_identity (
  id           boolean PRIMARY KEY DEFAULT true CHECK (id),
  instance_id  uuid NOT NULL DEFAULT gen_random_uuid(),
  created_at   timestamptz NOT NULL DEFAULT now()
);
INSERT INTO outbox_identity DEFAULT VALUES;
