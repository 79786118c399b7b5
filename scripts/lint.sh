#!/usr/bin/env bash
# The lint and format gate: typescript-eslint (type-aware) and prettier, configured in tools/lint/.
# `scripts/lint.sh --fix` rewrites what the tools can fix.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=tools/lint/node_modules/.bin
if [ ! -x "$bin/eslint" ]; then
  echo "[lint] npm ci (tools/lint)"
  npm ci --prefix tools/lint --no-audit --no-fund >/dev/null
fi
targets=(lib chaincode/src gateway/src indexer/src auditor/src network/src console/src test bench)
# Only TypeScript sources are formatted: JSON, XML and Markdown fixtures are data, kept as written.
globs=()
for t in "${targets[@]}"; do globs+=("$t/**/*.ts" "$t/**/*.tsx"); done
if [ "${1:-}" = "--fix" ]; then
  # eslint's fixes first, so prettier has the last word on layout.
  "$bin/eslint" -c tools/lint/eslint.config.mjs --fix "${targets[@]}" || true
  "$bin/prettier" --config tools/lint/prettier.config.mjs --log-level warn --no-error-on-unmatched-pattern --write "${globs[@]}"
  "$bin/eslint" -c tools/lint/eslint.config.mjs --max-warnings 0 "${targets[@]}"
else
  "$bin/prettier" --config tools/lint/prettier.config.mjs --log-level warn --no-error-on-unmatched-pattern --check "${globs[@]}"
  "$bin/eslint" -c tools/lint/eslint.config.mjs --max-warnings 0 "${targets[@]}"
fi
