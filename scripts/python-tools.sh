#!/usr/bin/env bash
# Installs the project's Python tools (the OpenAPI fuzzer) into .venv/ at the
# repository root, pinned; does nothing when the pinned version is already there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
SCHEMATHESIS_VERSION=4.32.5
venv="$root/.venv"
if "$venv/bin/st" --version 2>/dev/null | grep -qx "st, version $SCHEMATHESIS_VERSION"; then exit 0; fi
echo "installing schemathesis $SCHEMATHESIS_VERSION into $venv" >&2
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" >&2
