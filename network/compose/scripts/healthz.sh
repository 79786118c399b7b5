#!/usr/bin/env bash
# Healthcheck of a Fabric node: GET /healthz on its operations port must answer
# 200. The Fabric images have bash but neither curl nor wget, hence /dev/tcp.
# Usage: healthz.sh PORT
set -euo pipefail
exec 3<>"/dev/tcp/127.0.0.1/$1"
printf 'GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
read -r status <&3
[[ "$status" == HTTP/1.?" 200 "* ]]
