#!/usr/bin/env bash
# Scale benchmark: for each fleet size (default 10k 50k 100k; larger sizes as
# arguments, e.g. 200k 500k), an idle baseline and a run that holds the fleet
# with ws-ping heartbeats, then an abort storm with full jitter. Prints one
# table: load-generator RSS per client, server RSS per connection, kernel
# slab per connection, connect rate during the ramp, peak attempts/s,
# recovery p99/p100, timer lateness p99 during the hold, CPU of each side.
#
#   scripts/bench-scale.sh                 # 10k 50k 100k, 60 s hold
#   HOLD=30s scripts/bench-scale.sh 200k   # one larger size, shorter hold
#
# Environment: HOLD (60s), RAMP_RATE (3000), HEARTBEAT (10s),
# BROADCAST (0 = off; e.g. 10s adds a broadcast burst to every client),
# ARGS (extra "stormbench run" flags), OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10k 50k 100k)
bin=$(mktemp -d)/stormbench
go build -o "$bin" ./cmd/stormbench
exec go run ./scripts/benchscale -bin "$bin" \
  -out "${OUT:-results/bench-scale}" -hold "${HOLD:-60s}" -ramp-rate "${RAMP_RATE:-3000}" \
  -heartbeat "${HEARTBEAT:-10s}" -broadcast "${BROADCAST:-0}" -args "${ARGS:-}" "${sizes[@]}"
