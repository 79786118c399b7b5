-- The EPCIS repository's events (GET /epcis/events): each event as the ledger
-- recorded it. A captured event is kept as its capturer wrote it (business
-- eventTime and offset, eventID, extensions); events the chaincode derives
-- itself (REST, SAP, POS) are its own EPCIS events. record_time is the ledger
-- transaction's time; event_hash the CBV 2.0 event hash ID.
CREATE TABLE epcis_events (
  block_number     bigint NOT NULL,
  tx_index         integer NOT NULL,
  seq              integer NOT NULL,
  tx_id            text NOT NULL,
  ledger_event_id  text NOT NULL,
  event_id         text NOT NULL,
  event_hash       text,
  event_type       text NOT NULL,
  event_time       timestamptz NOT NULL,
  record_time      timestamptz NOT NULL,
  biz_step         text,
  disposition      text,
  biz_location     text,
  read_point       text,
  captured         boolean NOT NULL,
  -- Identifiers as constrained canonical GS1 Digital Links, for MATCH_epc / MATCH_anyEPC /
  -- MATCH_epcClass / MATCH_anyEPCClass whatever form (EPC URI or Digital Link) the event used.
  epcs             text[] NOT NULL DEFAULT '{}',
  any_epcs         text[] NOT NULL DEFAULT '{}',
  epc_classes      text[] NOT NULL DEFAULT '{}',
  any_epc_classes  text[] NOT NULL DEFAULT '{}',
  document         jsonb NOT NULL,
  PRIMARY KEY (block_number, tx_index, seq)
);
CREATE INDEX epcis_events_event_id ON epcis_events (event_id);
CREATE INDEX epcis_events_event_hash ON epcis_events (event_hash);
CREATE INDEX epcis_events_event_time ON epcis_events (event_time, block_number, tx_index, seq);
CREATE INDEX epcis_events_record_time ON epcis_events (record_time, block_number, tx_index, seq);
CREATE INDEX epcis_events_biz_step ON epcis_events (biz_step, block_number, tx_index, seq);
CREATE INDEX epcis_events_biz_location ON epcis_events (biz_location, block_number, tx_index, seq);
CREATE INDEX epcis_events_epcs ON epcis_events USING gin (any_epcs);
CREATE INDEX epcis_events_epc_classes ON epcis_events USING gin (any_epc_classes);
CREATE INDEX epcis_events_document ON epcis_events USING gin (document jsonb_path_ops);

-- Events indexed before this table existed: the chaincode's own events (their lot classes are already
-- canonical Digital Links; they carry no instance-level EPCs). Their hash is filled in by a rebuild: it is
-- computed in the indexer, not in SQL.
INSERT INTO epcis_events (block_number, tx_index, seq, tx_id, ledger_event_id, event_id, event_type, event_time, record_time,
                          biz_step, disposition, biz_location, read_point, captured, epc_classes, any_epc_classes, document)
SELECT te.block_number, te.tx_index, te.seq, te.tx_id, te.ledger_event_id, te.epcis_event_id, te.event_type, te.event_time,
       COALESCE(t.tx_time, te.event_time), te.biz_step, te.disposition, te.biz_location, te.document->'readPoint'->>'id', false,
       ARRAY(SELECT q->>'epcClass' FROM jsonb_array_elements(COALESCE(te.document->'quantityList', '[]'::jsonb)) q WHERE q->>'epcClass' IS NOT NULL),
       ARRAY(SELECT q->>'epcClass' FROM jsonb_array_elements(COALESCE(te.document->'quantityList', '[]'::jsonb) || COALESCE(te.document->'inputQuantityList', '[]'::jsonb)
                                                             || COALESCE(te.document->'outputQuantityList', '[]'::jsonb)) q WHERE q->>'epcClass' IS NOT NULL),
       te.document
  FROM trace_events te
  LEFT JOIN transactions t ON t.block_number = te.block_number AND t.tx_index = te.tx_index;
