-- GET /search without scanning whole tables: every lookup of the search box
-- reads an index.
--
-- SSCCs: the identifiers an EPCIS document names as an SSCC (a Digital Link
-- with AI 00, or an EPC URN), extracted from the document by an immutable
-- function and held in a GIN index; the query compares with && (overlap).
-- Digital Links give the 18 digits; URNs are kept as written (their company
-- prefix length is not in the URN), and the query lists each possible form.
CREATE FUNCTION trace_event_ssccs(doc jsonb) RETURNS text[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$
    SELECT COALESCE(array_agg(DISTINCT COALESCE(m[1], m[2])), '{}')
      FROM regexp_matches(doc::text, '/00/([0-9]{18})|(urn:epc:id:sscc:[0-9]+\.[0-9]+)', 'g') AS m
  $$;
CREATE INDEX trace_events_ssccs ON trace_events USING gin (trace_event_ssccs(document));

-- Transaction ids: lots, lineage and shipment lines by the transaction that wrote them
-- (stock movements are found through transactions and their block position).
CREATE INDEX lots_tx_id ON lots (tx_id);
CREATE INDEX lot_lineage_tx_id ON lot_lineage (tx_id);
CREATE INDEX shipment_lines_tx_id ON shipment_lines (tx_id);
-- Shipments by their bill of lading or despatch advice number.
CREATE INDEX shipments_bol ON shipments (bol) WHERE bol IS NOT NULL;
CREATE INDEX shipments_desadv ON shipments (desadv) WHERE desadv IS NOT NULL;
