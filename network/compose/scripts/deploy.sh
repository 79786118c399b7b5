#!/usr/bin/env bash
# docker-compose `deploy` service (hyperledger/fabric-tools), run once the
# orderer, the three peers and the chaincode server are healthy:
#   1. the orderer joins channel `supplychain` (osnadmin, channel participation)
#   2. every peer joins it
#   3. the CCaaS package made by `setup` is installed on every peer
#   4. every organisation approves `traceability` (endorsement policy MAJORITY)
#   5. the definition is committed
#   6. one transaction, endorsed by two organisations, must commit VALID
# Each step is skipped when already done, so `docker compose up` can run it again.
set -euo pipefail

channel=supplychain
name=traceability
version=1.0
sequence=1
crypto=/devnet/crypto
block=/devnet/channel/$channel.block
package=/devnet/chaincode/traceability_1.0.tar.gz
package_id=$(cat /devnet/chaincode/package-id)

orderer=orderer0.orderer.coffee.example
orderer_org=$crypto/ordererOrganizations/orderer.coffee.example
orderer_ca=$orderer_org/tlsca/tlsca.orderer.coffee.example-cert.pem
orderer_admin_tls=$orderer_org/users/Admin@orderer.coffee.example/tls
orderer_args=(-o "$orderer:7050" --tls --cafile "$orderer_ca")

# organisation name, MSP id, peer port: the same as the native devnet.
orgs=(retailer:RetailerMSP:7100 supplier:SupplierMSP:7200 auditor:AuditorMSP:7300)

log() { echo "[deploy] $*"; }

# retry ATTEMPTS COMMAND...: the orderer elects its Raft leader and the peers
# connect to the chaincode server a little after they report healthy.
retry() {
  local attempts=$1 n=1
  shift
  until "$@"; do
    if [ "$n" -ge "$attempts" ]; then return 1; fi
    n=$((n + 1))
    sleep 3
  done
}

tlsca_of() { echo "$crypto/peerOrganizations/$1.coffee.example/tlsca/tlsca.$1.coffee.example-cert.pem"; }

# Points the peer CLI at ORG's peer, acting as ORG's admin.
use_org() {
  local name msp port domain
  IFS=: read -r name msp port <<<"$1"
  domain=$name.coffee.example
  export CORE_PEER_LOCALMSPID=$msp
  export CORE_PEER_MSPCONFIGPATH=$crypto/peerOrganizations/$domain/users/Admin@$domain/msp
  export CORE_PEER_ADDRESS=peer0.$domain:$port
  export CORE_PEER_TLS_ENABLED=true
  CORE_PEER_TLS_ROOTCERT_FILE=$(tlsca_of "$name")
  export CORE_PEER_TLS_ROOTCERT_FILE
  org_name=$name
}

osn() {
  osnadmin channel "$@" -o "$orderer:7051" --ca-file "$orderer_ca" \
    --client-cert "$orderer_admin_tls/client.crt" --client-key "$orderer_admin_tls/client.key"
}

# 1. orderer
# (Outputs are captured before grep reads them: with pipefail, grep -q closing a
# pipe early could fail the command it reads from.)
listed=$(osn list --channelID "$channel")
if grep -q '^Status: 200' <<<"$listed"; then
  log "orderer0 already serves $channel"
else
  log "orderer0 joins $channel"
  out=$(osn join --channelID "$channel" --config-block "$block")
  echo "$out"
  grep -q '^Status: 201' <<<"$out"
fi

# 2. peers
for org in "${orgs[@]}"; do
  use_org "$org"
  joined=$(peer channel list 2>/dev/null || true)
  if grep -qx "$channel" <<<"$joined"; then
    log "peer0.$org_name already joined $channel"
  else
    log "peer0.$org_name joins $channel"
    retry 5 peer channel join -b "$block"
  fi
done

# 3. install
for org in "${orgs[@]}"; do
  use_org "$org"
  installed=$(peer lifecycle chaincode queryinstalled --output json)
  if grep -qF "\"$package_id\"" <<<"$installed"; then
    log "$package_id already installed on peer0.$org_name"
  else
    log "installing $package_id on peer0.$org_name"
    peer lifecycle chaincode install "$package"
  fi
done

# 4 and 5. approve and commit
definition=(--channelID "$channel" --name "$name" --version "$version" --sequence "$sequence"
  --channel-config-policy /Channel/Application/Endorsement)
use_org "${orgs[0]}"
if peer lifecycle chaincode querycommitted --channelID "$channel" --name "$name" >/dev/null 2>&1; then
  log "$name already committed on $channel"
else
  for org in "${orgs[@]}"; do
    use_org "$org"
    if peer lifecycle chaincode queryapproved --channelID "$channel" --name "$name" --sequence "$sequence" >/dev/null 2>&1; then
      log "$name already approved by $CORE_PEER_LOCALMSPID"
    else
      log "$CORE_PEER_LOCALMSPID approves $name"
      retry 10 peer lifecycle chaincode approveformyorg "${orderer_args[@]}" "${definition[@]}" \
        --package-id "$package_id" --waitForEvent
    fi
  done
  peers=()
  for org in "${orgs[@]}"; do
    use_org "$org"
    peers+=(--peerAddresses "$CORE_PEER_ADDRESS" --tlsRootCertFiles "$CORE_PEER_TLS_ROOTCERT_FILE")
  done
  use_org "${orgs[0]}"
  log "committing $name (endorsement policy MAJORITY of ${#orgs[@]} organisations)"
  retry 10 peer lifecycle chaincode commit "${orderer_args[@]}" "${definition[@]}" "${peers[@]}" --waitForEvent
fi

# 6. the consortium registry's bootstrap, which is also the first transaction through the chaincode
# server: RetailerMSP's admin lists every member with its roles (InitConsortium, refused once seeded),
# endorsed by RetailerMSP and SupplierMSP (the MAJORITY policy).
use_org "${orgs[0]}"
members=$(peer chaincode query --channelID "$channel" --name "$name" -c '{"function":"consortium:GetMembers","Args":[]}' 2>/dev/null || true)
if printf '%s' "$members" | grep -q '"mspId"'; then
  log "consortium registry already seeded"
else
  log "seeding the consortium registry (RetailerMSP governs)"
  seed='{"members":[{"mspId":"RetailerMSP","displayName":"Coffee retailer","roles":["retailer","governance"]},{"mspId":"SupplierMSP","displayName":"Coffee supplier","roles":["supplier"]},{"mspId":"AuditorMSP","displayName":"Independent auditor","roles":["auditor"]}]}'
  args=$(printf '%s' "$seed" | sed 's/"/\\"/g')
  retry 10 peer chaincode invoke "${orderer_args[@]}" --channelID "$channel" --name "$name" \
    --peerAddresses peer0.retailer.coffee.example:7100 --tlsRootCertFiles "$(tlsca_of retailer)" \
    --peerAddresses peer0.supplier.coffee.example:7200 --tlsRootCertFiles "$(tlsca_of supplier)" \
    -c "{\"function\":\"consortium:InitConsortium\",\"Args\":[\"$args\"]}" --waitForEvent
fi
log "network ready: channel $channel, chaincode $name ($package_id)"
