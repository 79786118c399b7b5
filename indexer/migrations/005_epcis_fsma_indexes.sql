-- EPCIS query (GET /epcis/events) and FSMA 204 export (GET /fsma/export).

-- Record order, the paging key of both.
CREATE INDEX trace_events_record_order ON trace_events (block_number, tx_index, seq);
-- GE_/LT_eventTime and the export's date range.
CREATE INDEX trace_events_event_time ON trace_events (event_time, block_number, tx_index, seq);
-- EQ_bizStep (also the export's choice of critical tracking events) and EQ_bizLocation.
CREATE INDEX trace_events_biz_step ON trace_events (biz_step, block_number, tx_index, seq);
CREATE INDEX trace_events_biz_location ON trace_events (biz_location, block_number, tx_index, seq);
-- MATCH_epcClass, MATCH_anyEPCClass, EQ_bizTransaction_*, EQ_source_*, EQ_destination_*
-- and the export's TLC filter: JSON containment (@>) on the event document.
CREATE INDEX trace_events_document ON trace_events USING gin (document jsonb_path_ops);
-- The export resolves quantity elements to lots and SGLNs to locations.
CREATE INDEX lots_epc_class ON lots (epc_class);
CREATE INDEX warehouses_sgln ON warehouses (sgln);
