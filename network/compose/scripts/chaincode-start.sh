#!/bin/sh
# Entrypoint of the `chaincode` service: our Node chaincode server in
# fabric-shim server mode. The package id comes from the `setup` service unless
# CHAINCODE_ID is given.
set -eu
if [ -z "${CHAINCODE_ID:-}" ]; then
  CHAINCODE_ID=$(cat /devnet/chaincode/package-id)
  export CHAINCODE_ID
fi
exec node dist/chaincode/src/server.js
