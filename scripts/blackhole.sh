#!/usr/bin/env bash
# A true packet blackhole, compared with stormbench's emulated client-side
# partition.
#
# In a network namespace of its own (loopback only), the script starts
# "stormbench serve" and two runs of the same fleet against it:
#
#  1. blackhole: "run --fault none" with a long hold; SETTLE seconds into the
#     hold an nftables table drops every packet to or from TCP port PORT for
#     DROP seconds (in the prerouting hook, so both ends believe they sent:
#     nothing is refused, nothing is reset). Clients notice by heartbeat
#     timeout, their reconnect SYNs vanish (Linux retransmits a SYN 1 s, 3 s,
#     7 s … after the first), and the fleet recovers once the table is gone.
#  2. partition: "run --fault partition --fault-duration DROP" — the same
#     outage as the load generator emulates it.
#
# While both run, the sockets in SYN-SENT inside the namespace are counted
# every 0.2 s. Afterwards each results folder gets syn_sent.csv (t_s in the
# run's own clock) and the blackhole's blackhole.json (when the rule was in
# place), and scripts/timeline prints both runs side by side, aligned at the
# start of the outage (the drop, resp. the partition's T0).
#
# Settings (environment) and why:
#   CLIENTS=2000          enough to exceed the load generator's 512 dial slots
#   DROP=10               seconds of blackhole / partition
#   SETTLE=3              seconds of hold before the outage (heartbeats running)
#   HOLD=30               blackhole run's hold: SETTLE + DROP + time to recover
#   HB_INTERVAL=1s HB_TIMEOUT=3s   detection 2–3 s after the outage starts
#   BACKOFF_BASE=500ms BACKOFF_MAX=5s   full jitter: retries spread over ≤ 5 s
#   CONNECT_TIMEOUT=5s    an attempt into the void fails after the SYN and two
#                         retransmissions (0, 1, 3 s), before the 7 s one
#   PORT=18080 CTL=18081  server and control API ports inside the namespace
#   NS=sb-blackhole       namespace name (must not exist)
#   OUT=results/blackhole where the two results folders go
#   STORMBENCH            binary to use (default: built from this checkout)
#   ARGS                  extra flags for both "stormbench run"
#
# Needs root (network namespaces), ip and ss (iproute2) and nft (nftables):
#   apt-get install -y iproute2 nftables
# Everything it starts is stopped and the namespace deleted on exit, also on
# Ctrl-C; each run is bounded by timeout(1).
set -euo pipefail
cd "$(dirname "$0")/.."

CLIENTS=${CLIENTS:-2000}
DROP=${DROP:-10}
SETTLE=${SETTLE:-3}
HOLD=${HOLD:-30}
HB_INTERVAL=${HB_INTERVAL:-1s}
HB_TIMEOUT=${HB_TIMEOUT:-3s}
BACKOFF_BASE=${BACKOFF_BASE:-500ms}
BACKOFF_MAX=${BACKOFF_MAX:-5s}
CONNECT_TIMEOUT=${CONNECT_TIMEOUT:-5s}
PORT=${PORT:-18080}
CTL=${CTL:-18081}
NS=${NS:-sb-blackhole}
OUT=${OUT:-results/blackhole}
ARGS=${ARGS:-}
TABLE=sb_blackhole

die() { echo "blackhole.sh: $*" >&2; exit 1; }

# --- requirements: say what is missing, install nothing -----------------
[ "$(id -u)" = 0 ] || die "needs root (ip netns, nft)"
missing=()
command -v ip >/dev/null || missing+=(iproute2)
command -v ss >/dev/null || missing+=(iproute2)
command -v nft >/dev/null || missing+=(nftables)
command -v timeout >/dev/null || missing+=(coreutils)
if [ ${#missing[@]} -gt 0 ]; then
  die "missing tools; install them with: apt-get update && apt-get install -y $(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')"
fi
[ -n "${EPOCHREALTIME:-}" ] || die "needs bash ≥ 5 (EPOCHREALTIME)"
for v in CLIENTS DROP SETTLE HOLD PORT CTL; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v=${!v}: want a whole number"
done
[ "$HOLD" -gt $((SETTLE + DROP)) ] || die "HOLD=$HOLD must exceed SETTLE+DROP=$((SETTLE + DROP)) (and leave time to recover)"
if ip netns list | awk '{print $1}' | grep -qx -- "$NS"; then
  die "network namespace $NS exists already (a run in progress, or left over: ip netns del $NS)"
fi

# --- cleanup: our processes by PID, then the namespace (and its table) ---
pids=()
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for p in "${pids[@]}"; do
    kill -TERM "$p" 2>/dev/null || true
  done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  if ip netns list | awk '{print $1}' | grep -qx -- "$NS"; then
    # Anything still inside the namespace was started by this script.
    for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
    ip netns del "$NS" || true
  fi
  [ -z "${work:-}" ] || rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

work=$(mktemp -d /tmp/blackhole.XXXXXX)
if [ -n "${STORMBENCH:-}" ]; then
  [ -x "$STORMBENCH" ] || die "STORMBENCH=$STORMBENCH is not an executable"
  bin=$(realpath "$STORMBENCH")
else
  bin=$work/stormbench
  go build -o "$bin" ./cmd/stormbench
fi
timeline=$work/timeline
go build -o "$timeline" ./scripts/timeline
mkdir -p "$OUT"
OUT=$(realpath "$OUT")

inns() { ip netns exec "$NS" "$@"; }

ip netns add "$NS"
inns ip link set lo up

# --- server ----------------------------------------------------------------
token=blackhole-$RANDOM$RANDOM
inns "$bin" serve --listen "127.0.0.1:$PORT" --control "127.0.0.1:$CTL" --control-token "$token" \
  >"$work/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  grep -q '^control API:' "$work/serve.log" && break
  kill -0 "${pids[0]}" 2>/dev/null || { cat "$work/serve.log" >&2; die "server exited"; }
  sleep 0.1
done
grep -q '^control API:' "$work/serve.log" || die "server not ready after 10 s"

# --- SYN-SENT sampler: Unix time, client sockets in SYN-SENT to PORT --------
inns bash -c "while :; do n=\$(ss -Htn state syn-sent '( dport = :$PORT )' | wc -l); echo \"\$EPOCHREALTIME \$n\"; sleep 0.2; done" \
  >"$work/syn.raw" 2>/dev/null &
pids+=($!)

common=(--url "ws://127.0.0.1:$PORT/ws" --control "http://127.0.0.1:$CTL" --control-token "$token"
  --clients "$CLIENTS" --heartbeat ws-ping --heartbeat-interval "$HB_INTERVAL" --heartbeat-timeout "$HB_TIMEOUT"
  --backoff-base "$BACKOFF_BASE" --backoff-max "$BACKOFF_MAX" --connect-timeout "$CONNECT_TIMEOUT"
  --recover-timeout 60s --out "$OUT")
# shellcheck disable=SC2206
extra=($ARGS)
# Ramp at the default 2 000/s, plus slack for a saturated box.
ramp=$((CLIENTS / 2000 + 30))

# results_dir FILE: the "results: DIR" line of a run's stdout.
results_dir() { sed -n 's/^results: //p' "$1" | tail -1; }

# --- run 1: the real blackhole --------------------------------------------
echo "blackhole.sh: run 1: $CLIENTS clients, hold ${HOLD}s, packets to/from :$PORT dropped ${SETTLE}s into the hold for ${DROP}s" >&2
inns timeout -k 5 $((ramp + HOLD + 60)) "$bin" run "${common[@]}" --fault none --hold "${HOLD}s" --name blackhole "${extra[@]}" \
  >"$work/bh.out" 2>"$work/bh.err" &
run_pid=$!
pids+=("$run_pid")
# The run prints a status line at every phase change; wait for the hold's.
for _ in $(seq $((ramp * 20))); do
  grep -q '\] hold ' "$work/bh.err" && break
  kill -0 "$run_pid" 2>/dev/null || break
  sleep 0.05
done
if ! grep -q '\] hold ' "$work/bh.err"; then
  cat "$work/bh.err" >&2
  die "run 1 never reached its hold phase"
fi
sleep "$SETTLE"
t_on0=$EPOCHREALTIME
inns nft -f - <<EOF
table inet $TABLE {
  chain pre {
    type filter hook prerouting priority raw; policy accept;
    tcp dport $PORT drop
    tcp sport $PORT drop
  }
}
EOF
t_on1=$EPOCHREALTIME
echo "blackhole.sh: drop on" >&2
sleep "$DROP"
t_off0=$EPOCHREALTIME
inns nft delete table inet "$TABLE"
t_off1=$EPOCHREALTIME
echo "blackhole.sh: drop off" >&2
rc=0
wait "$run_pid" || rc=$?
cat "$work/bh.err" >&2
[ "$rc" = 0 ] || die "run 1 exited with $rc"
bh_dir=$(results_dir "$work/bh.out")
[ -n "$bh_dir" ] || die "run 1 printed no results folder"

# --- run 2: the emulated partition -----------------------------------------
echo "blackhole.sh: run 2: the same fleet, --fault partition --fault-duration ${DROP}s after ${SETTLE}s of hold" >&2
inns timeout -k 5 $((ramp + SETTLE + DROP + 90)) "$bin" run "${common[@]}" --fault partition --fault-duration "${DROP}s" \
  --hold "${SETTLE}s" --name partition "${extra[@]}" >"$work/part.out" 2>"$work/part.err" &
run_pid=$!
pids+=("$run_pid")
rc=0
wait "$run_pid" || rc=$?
cat "$work/part.err" >&2
[ "$rc" = 0 ] || die "run 2 exited with $rc"
part_dir=$(results_dir "$work/part.out")
[ -n "$part_dir" ] || die "run 2 printed no results folder"

# --- results -----------------------------------------------------------------
# started DIR: the run's start as Unix seconds (summary.json started_at).
started() {
  local s
  s=$(sed -n 's/.*"started_at": *"\([^"]*\)".*/\1/p' "$1/summary.json" | head -1)
  [ -n "$s" ] || die "$1/summary.json has no started_at"
  date -d "$s" +%s.%N
}
# syn_csv DIR: the sampler's lines within the run, in the run's clock.
syn_csv() {
  local start end
  start=$(started "$1")
  end=$(sed -n 's/.*"duration_s": *\([0-9.e+-]*\).*/\1/p' "$1/summary.json" | head -1)
  awk -v s="$start" -v d="${end:-1e9}" 'BEGIN { print "t_s,syn_sent" }
    { t = $1 - s; if (t >= 0 && t <= d) printf "%.3f,%d\n", t, $2 }' "$work/syn.raw" >"$1/syn_sent.csv"
}
syn_csv "$bh_dir"
syn_csv "$part_dir"
on=$(awk -v a="$t_on0" -v b="$t_on1" 'BEGIN { printf "%.6f", (a + b) / 2 }')
off=$(awk -v a="$t_off0" -v b="$t_off1" 'BEGIN { printf "%.6f", (a + b) / 2 }')
bh_start=$(started "$bh_dir")
cat >"$bh_dir/blackhole.json" <<EOF
{
  "namespace": "$NS",
  "rule": "nftables inet $TABLE prerouting (priority raw): tcp dport $PORT drop, tcp sport $PORT drop",
  "on_unix": $on,
  "off_unix": $off,
  "on_s": $(awk -v a="$on" -v s="$bh_start" 'BEGIN { printf "%.3f", a - s }'),
  "off_s": $(awk -v a="$off" -v s="$bh_start" 'BEGIN { printf "%.3f", a - s }'),
  "apply_ms": $(awk -v a="$t_on0" -v b="$t_on1" 'BEGIN { printf "%.1f", (b - a) * 1000 }')
}
EOF

echo
echo "== run 1: blackhole (nftables drop) — $bh_dir"
"$bin" report "$bh_dir"
echo "== run 2: emulated partition — $part_dir"
"$bin" report "$part_dir"
echo "== timeline, aligned at the outage's start (blackhole: the drop; partition: T0)"
"$timeline" -t0 "blackhole=unix:$on,partition=storm" -to $((HOLD - SETTLE)) \
  "blackhole=$bh_dir" "partition=$part_dir" | tee "$bh_dir/timeline.txt"
cp "$bh_dir/timeline.txt" "$part_dir/timeline.txt"
cp "$work/bh.err" "$bh_dir/stderr.log"
cp "$work/part.err" "$part_dir/stderr.log"
