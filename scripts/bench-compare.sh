#!/usr/bin/env bash
# Compare this working tree with an earlier revision on the same scenario,
# back to back on this machine, alternating builds for ROUNDS rounds:
#
#   scripts/bench-compare.sh 5d8f303                  # the 100 000-client hold
#   ROUNDS=5 scripts/bench-compare.sh HEAD~3 -- --clients 20000 --hold 30s
#
# Prints each build's medians (with min–max) of the hold and storm timer
# lateness p99, the ramp's connect rate, memory per client, CPU per
# heartbeat frame and the storm's recovery p99, and the ratio current / old.
# Run it on a quiet machine; docs/benchmarks.md says when and how to read it.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: scripts/bench-compare.sh REV [-- stormbench run flags]" >&2; exit 2; }
rev=$1; shift
[ "${1:-}" = "--" ] && shift
exec go run ./scripts/benchcompare -rev "$rev" -rounds "${ROUNDS:-3}" -out "${OUT:-results/bench-compare}" -- "$@"
