#!/usr/bin/env bash
# docker-compose `setup` service (hyperledger/fabric-tools): makes what the
# network needs once and keeps it in the `devnet` volume (/devnet):
#   crypto/                         cryptogen output (NodeOUs, TLS)
#   channel/supplychain.block       genesis block of the channel (configtxgen)
#   chaincode/traceability_1.0.tar.gz  chaincode-as-a-service package
#   chaincode/package-id            its package id, read by the chaincode service
# A second run finds everything in place and changes nothing.
set -euo pipefail

out=/devnet
conf=/compose
channel=supplychain
label=traceability_1.0
# Where the peers dial the chaincode server: the `chaincode` service.
chaincode_address=chaincode:7400

if [ ! -d "$out/crypto/peerOrganizations" ]; then
  echo "[setup] cryptogen: OrdererOrg, RetailerMSP, SupplierMSP, AuditorMSP"
  cryptogen generate --config="$conf/crypto-config.yaml" --output="$out/crypto"
fi

block="$out/channel/$channel.block"
if [ ! -f "$block" ]; then
  echo "[setup] configtxgen: genesis block of $channel"
  mkdir -p "$out/channel"
  configtxgen -configPath "$conf" -profile SupplyChain -channelID "$channel" -outputBlock "$block.tmp"
  mv "$block.tmp" "$block"
fi

# The package is made once: its sha256 is the package id the peers know the
# chaincode by, so it must not change while the network lives.
pkg="$out/chaincode/$label.tar.gz"
if [ ! -f "$pkg" ]; then
  echo "[setup] chaincode package $label (ccaas, $chaincode_address)"
  work=$(mktemp -d)
  printf '{"address":"%s","dial_timeout":"10s","tls_required":false}\n' "$chaincode_address" >"$work/connection.json"
  printf '{"type":"ccaas","label":"%s"}\n' "$label" >"$work/metadata.json"
  tar -C "$work" -czf "$work/code.tar.gz" connection.json
  mkdir -p "$out/chaincode"
  tar -C "$work" -czf "$pkg.tmp" code.tar.gz metadata.json
  mv "$pkg.tmp" "$pkg"
  rm -rf "$work"
fi
echo "$label:$(sha256sum "$pkg" | cut -d' ' -f1)" >"$out/chaincode/package-id"
echo "[setup] done; package id $(cat "$out/chaincode/package-id")"
