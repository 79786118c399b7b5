#!/usr/bin/env bash
# Entrypoint of the peer services: `peer node start` with the image's own
# core.yaml, except that vm.endpoint is emptied. Every other setting comes from
# CORE_* variables in docker-compose.yml.
#
# Why a file and not CORE_VM_ENDPOINT="": Fabric's viper ignores environment
# variables whose value is empty, so the image's default
# (unix:///var/run/docker.sock) would stay, the peer would register a Docker
# health check, and /healthz would fail on a machine without a Docker socket.
set -euo pipefail
cfg="${TMPDIR:-/tmp}/peercfg"
mkdir -p "$cfg"
awk '
  /^[^[:space:]#]/ { section = $1 }
  section == "vm:" && /^    endpoint:/ { print "    endpoint: \"\""; next }
  { print }
' "${FABRIC_CFG_PATH:-/etc/hyperledger/fabric}/core.yaml" >"$cfg/core.yaml"
grep -q '^    endpoint: ""$' "$cfg/core.yaml" || {
  echo "peer-start: could not empty vm.endpoint in core.yaml" >&2
  exit 1
}
export FABRIC_CFG_PATH="$cfg"
exec peer node start
