#!/usr/bin/env bash
# Installs the npm dependencies from the lockfile when they are missing or
# older than it, so `npm start` and `npm test` work straight after a clone.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[install] npm ci"
  npm ci --no-audit --no-fund
fi
if [ ! -f tools/lint/node_modules/.package-lock.json ] || [ tools/lint/package-lock.json -nt tools/lint/node_modules/.package-lock.json ]; then
  echo "[install] npm ci (tools/lint)"
  npm ci --prefix tools/lint --no-audit --no-fund
fi
