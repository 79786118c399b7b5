#!/usr/bin/env bash
# Validates a running query API's /openapi.json as OpenAPI 3.1, then fuzzes the API from it with
# schemathesis: every documented operation but the never-ending event streams, valid and invalid inputs.
# Fails on a document that is not valid OpenAPI, on any 5xx and on any answer the document does not
# allow (status, media type, headers, body schema).
#
#   QUERY_API_URL=http://127.0.0.1:7910 QUERY_API_TOKEN=<token> bash scripts/fuzz-query-api.sh
#
# QUERY_API_TOKEN is a bearer token the query API accepts (`npm start` prints how to mint one);
# FUZZ_MAX_EXAMPLES (default 20) and FUZZ_SEED (default 17) bound and fix the run; FUZZ_PHASES picks
# schemathesis phases (default: all); extra arguments go to `st run`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/python-tools.sh
: "${QUERY_API_URL:?QUERY_API_URL is required (the query API base URL, e.g. http://127.0.0.1:7910)}"
: "${QUERY_API_TOKEN:?QUERY_API_TOKEN is required (a bearer token the query API accepts)}"
doc=$(mktemp)
trap 'rm -f "$doc"' EXIT
curl -fsS "$QUERY_API_URL/openapi.json" -o "$doc"
"$root/.venv/bin/openapi-spec-validator" "$doc"
exec "$root/.venv/bin/st" run "$QUERY_API_URL/openapi.json" \
  --header "Authorization: Bearer $QUERY_API_TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --exclude-path /ledger/stream \
  --max-examples "${FUZZ_MAX_EXAMPLES:-20}" --seed "${FUZZ_SEED:-17}" ${FUZZ_PHASES:+--phases "$FUZZ_PHASES"} \
  --workers 1 --request-timeout 60 --no-color --generation-database none \
  --suppress-health-check filter_too_much \
  "$@"
