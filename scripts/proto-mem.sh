#!/usr/bin/env bash
# Memory per held client with each framework protocol (--protocol), against
# plain stormbench with its embedded server: one load-generator process
# (--workers 1) holds BASE then CLIENTS clients against a fake server on
# loopback that speaks the protocol (scripts/protomem), and the growth of its
# RSS in the middle of the hold and of its peak RSS (ramp and hold) is
# divided by the clients added. Prints one table, with each protocol's ratio
# to plain stormbench; docs/benchmarks.md has the figures of this machine.
#
#   scripts/proto-mem.sh                  # every protocol, 5 000 → 10 000 clients
#   RUNS=3 scripts/proto-mem.sh mqtt stomp
#   PAD=1000 scripts/proto-mem.sh mqtt-split stomp-split   # packets split across messages
#
# Environment: CLIENTS (10000), BASE (5000), HOLD (30s), RAMP_RATE (2000),
# BROADCAST (1s), PAD (0: bytes added to every broadcast's payload),
# RUNS (1: the median of RUNS measurements), OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(mktemp -d)/stormbench
go build -o "$bin" ./cmd/stormbench
exec go run ./scripts/protomem -bin "$bin" \
  -out "${OUT:-results/proto-mem}" -clients "${CLIENTS:-10000}" -base-clients "${BASE:-5000}" \
  -hold "${HOLD:-30s}" -ramp-rate "${RAMP_RATE:-2000}" -broadcast "${BROADCAST:-1s}" -pad "${PAD:-0}" -runs "${RUNS:-1}" "$@"
