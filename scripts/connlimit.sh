#!/usr/bin/env bash
# This machine's loopback connect limits, as a reference for stormbench's own
# connect rates: raw TCP connect + accept, and TCP + WebSocket upgrade
# against "stormbench serve" at several dial concurrencies. Client and
# server share the cores, as in a run with the embedded server.
#
#   scripts/connlimit.sh                         # both, 3 rounds each, medians
#   scripts/connlimit.sh -mode ws -c 64,256      # flags go to scripts/connlimit
#
# STORMBENCH chooses the stormbench binary (default: built from this checkout).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/connlimit.XXXXXX)
trap 'rm -rf "$work"' EXIT
bin=${STORMBENCH:-}
if [ -z "$bin" ]; then
  bin=$work/stormbench
  go build -o "$bin" ./cmd/stormbench
fi
go build -o "$work/connlimit" ./scripts/connlimit
"$work/connlimit" -bin "$bin" "$@"
