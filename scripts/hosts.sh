#!/usr/bin/env bash
# One run of stormbench over several machines, on this one: K load-generator
# hosts and a server host as network namespaces, joined by a bridge that
# lives in a namespace of its own.
#
#   bridge namespace  <PREFIX>-br   br0, no address
#   server host       <PREFIX>-srv  198.18.0.1/15: stormbench serve, its
#                                   control API on 198.18.0.1:8081 (token
#                                   from a file; over HTTPS with CONTROL_TLS=1)
#   host i (0…K-1)    <PREFIX>-h<i> 198.18.<i+1>.1-198.18.<i+1>.<A>/15 (one
#                                   source address per 4 096 clients, as on
#                                   loopback): stormbench run --shard i/K
#
# Addresses come from the benchmarking range 198.18.0.0/15 (RFC 2544 §C.2.2);
# no namespace has a route beyond that subnet and nothing touches this
# machine's own interfaces or routes. Every shard runs the same command but
# for its index — `--shard i/K --start-at T` with one T for all, so that they
# follow one timetable — and shard 0 applies the fault through the server's
# control API (--control), the others take T0 from the timetable. When they
# are done their results folders are copied, as one would copy them off K
# machines, to OUT/hosts/h<i>/, and `stormbench merge` joins them into
# OUT/merged. A host that delivered no results (KILL) is missing: the script
# shows merge refusing the set (exit 2) and then merges it with --partial.
# OUT/hosts.json says what happened: hosts, their exit codes, which were
# killed, the merge's refusal and the merged folder.
#
# Settings (environment) and why (the defaults are docs/scale.md's
# comparison: HOSTS=4 against HOSTS=1 gives the same storm):
#   HOSTS=4               K, the load-generator hosts (1–200)
#   CLIENTS=20000         the whole fleet; host i holds client IDs ≡ i mod K
#   RAMP_RATE=4000        the fleet's new connections per second (each host
#                         ramps at RAMP_RATE/K: the same arrivals as one host)
#   CONNECT_TIMEOUT=3s    on a timetable the ramp lasts CLIENTS/RAMP_RATE + this
#   HOLD=1s               steady time before each fault
#   FAULT=abort FRACTION=0.25  the fault shard 0 applies through the control
#                         API, and the share of the fleet it hits
#   STORMS=1              storms (fault + window)
#   RECOVER_TIMEOUT=5s    each storm's window (a timetable keeps it whole)
#   BACKOFF_BASE=2s BACKOFF_MAX=5s JITTER=full   the reconnect policy
#   BROADCAST=1s          the server's broadcast interval (0s = none)
#   INTERVAL=1s           the time series' rows: the storm's peak is its
#                         busiest row, and 1 s rows keep it from hanging on
#                         when a loaded machine ran the loops
#   LOOPS=4               client event loops over all hosts: each host runs
#                         max(1, LOOPS/K) processes of one loop (0 = stormbench's
#                         own choice), so that one host and K hosts put the
#                         same number of loop threads on this machine's cores
#   LEAD=3                seconds from launching the shards to --start-at:
#                         every process must be waiting before it (on a
#                         loaded machine starting K processes takes seconds)
#   KILL=                 i@S: host i's machine dies S seconds after
#                         --start-at — its link goes down, then its processes
#                         are killed (SIGKILL), so the server keeps its
#                         connections half-open as it would for a machine
#                         that vanished; comma list for several hosts (host
#                         0 applies the fault: killed before T0, no storm)
#   CONTROL_TLS=0         1: the control API over HTTPS (--control-tls) with
#                         a throwaway certificate for 198.18.0.1 (openssl);
#                         the WebSocket listener is then wss:// too
#   SERVER_NICE=-10       the server's nice value: on K machines it would have
#                         cores of its own; here K load generators share this
#                         machine's with it, and more of them would starve it
#                         more (a one-host run would not compare with a K-host
#                         one)
#   NICE=0                the load generators' nice value (a negative one
#                         shields the run from other work on this machine)
#   PREFIX=sbh<PID>       namespace names (must not exist)
#   OUT=results/hosts     where the copied folders, the merge and hosts.json go
#                         (a new folder)
#   STORMBENCH            binary to use (default: built from this checkout)
#   ARGS                  extra flags for every shard's "stormbench run"
#   SERVE_ARGS            extra flags for "stormbench serve"
#
# Needs root (network namespaces) and ip (iproute2):
#   apt-get install -y iproute2
# The server namespace gets this machine's net.core.somaxconn and
# net.ipv4.tcp_max_syn_backlog (a namespace starts with the kernel's
# defaults), so that a one-host run here compares with one on loopback.
# Everything it starts is stopped and every namespace it made is deleted
# on exit, also on Ctrl-C or an error; each process is bounded by timeout(1).
set -euo pipefail
cd "$(dirname "$0")/.."

HOSTS=${HOSTS:-4}
CLIENTS=${CLIENTS:-20000}
RAMP_RATE=${RAMP_RATE:-4000}
CONNECT_TIMEOUT=${CONNECT_TIMEOUT:-3s}
HOLD=${HOLD:-1s}
FAULT=${FAULT:-abort}
FRACTION=${FRACTION:-0.25}
STORMS=${STORMS:-1}
RECOVER_TIMEOUT=${RECOVER_TIMEOUT:-5s}
BACKOFF_BASE=${BACKOFF_BASE:-2s}
BACKOFF_MAX=${BACKOFF_MAX:-5s}
JITTER=${JITTER:-full}
BROADCAST=${BROADCAST:-1s}
INTERVAL=${INTERVAL:-1s}
LOOPS=${LOOPS:-4}
LEAD=${LEAD:-3}
KILL=${KILL:-}
CONTROL_TLS=${CONTROL_TLS:-0}
SERVER_NICE=${SERVER_NICE:--10}
NICE=${NICE:-0}
PREFIX=${PREFIX:-sbh$$}
OUT=${OUT:-results/hosts}
ARGS=${ARGS:-}
SERVE_ARGS=${SERVE_ARGS:-}

SERVER_IP=198.18.0.1
WS_PORT=8080
CTL_PORT=8081
PER_ADDR=4096 # clients per source address, as AutoSourceAddrs on loopback

die() { echo "hosts.sh: $*" >&2; exit 1; }
say() { echo "hosts.sh: $*" >&2; }

# --- requirements and settings: say what is wrong, change nothing ---------
[ "$(id -u)" = 0 ] || die "needs root (ip netns)"
command -v ip >/dev/null || die "needs ip; install it with: apt-get update && apt-get install -y iproute2"
command -v timeout >/dev/null || die "needs timeout (coreutils)"
[ -n "${EPOCHREALTIME:-}" ] || die "needs bash ≥ 5 (EPOCHREALTIME)"
for v in HOSTS CLIENTS RAMP_RATE STORMS LEAD CONTROL_TLS LOOPS; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v=${!v}: want a whole number"
done
for v in SERVER_NICE NICE; do
  if ! [[ ${!v} =~ ^-?[0-9]+$ ]] || [ "${!v}" -lt -20 ] || [ "${!v}" -gt 19 ]; then
    die "$v=${!v}: want -20…19"
  fi
done
if [ "$HOSTS" -lt 1 ] || [ "$HOSTS" -gt 200 ]; then die "HOSTS=$HOSTS: want 1–200"; fi
[ "$CLIENTS" -ge "$HOSTS" ] || die "CLIENTS=$CLIENTS: want at least one client per host ($HOSTS)"
[ "$LEAD" -ge 1 ] || die "LEAD=$LEAD: want ≥ 1 second for the shards to start"
[[ $PREFIX =~ ^[a-z][a-z0-9]{0,9}$ ]] || die "PREFIX=$PREFIX: want 1–10 lower-case letters and digits, starting with a letter"
[ ! -e "$OUT" ] || die "OUT=$OUT exists already; choose a new folder"
if [ "$CONTROL_TLS" = 1 ]; then
  command -v openssl >/dev/null || die "CONTROL_TLS=1 needs openssl; install it with: apt-get install -y openssl"
fi
# seconds DURATION: a Go duration of s/ms as seconds (for the time limits).
seconds() {
  local d=$1
  case $d in
    *ms) awk -v v="${d%ms}" 'BEGIN { printf "%.3f", v / 1000 }' ;;
    *s) awk -v v="${d%s}" 'BEGIN { printf "%.3f", v }' ;;
    *) die "duration $d: want NNs or NNms" ;;
  esac
}
declare -A kill_at=()
if [ -n "$KILL" ]; then
  IFS=, read -ra kills <<<"$KILL"
  for k in "${kills[@]}"; do
    [[ $k =~ ^([0-9]+)@([0-9]+(\.[0-9]+)?)$ ]] || die "KILL=$KILL: want i@SECONDS[,…], e.g. 2@5"
    [ "${BASH_REMATCH[1]}" -lt "$HOSTS" ] || die "KILL=$KILL: host ${BASH_REMATCH[1]} does not exist (HOSTS=$HOSTS)"
    kill_at[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
  done
fi
ns_exists() { ip netns list | awk '{print $1}' | grep -qx -- "$1"; }
for n in "$PREFIX-br" "$PREFIX-srv"; do
  ! ns_exists "$n" || die "network namespace $n exists already (a run in progress, or left over: ip netns del $n)"
done

# --- cleanup: our processes by PID, then every namespace we made ------------
pids=()
made=()
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  for n in "${made[@]}"; do
    if ns_exists "$n"; then
      # Anything still inside a namespace of ours was started by this script.
      for p in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
      ip netns del "$n" 2>/dev/null || true
    fi
  done
  [ -z "${work:-}" ] || rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

work=$(mktemp -d /tmp/hosts.XXXXXX)
if [ -n "${STORMBENCH:-}" ]; then
  [ -x "$STORMBENCH" ] || die "STORMBENCH=$STORMBENCH is not an executable"
  bin=$(realpath "$STORMBENCH")
else
  bin=$work/stormbench
  go build -o "$bin" ./cmd/stormbench
fi
mkdir -p "$OUT/hosts"
OUT=$(realpath "$OUT")

# --- the network: a bridge in its own namespace, one veth per host ----------
br=$PREFIX-br
ip netns add "$br"
made+=("$br")
ip -n "$br" link set lo up
ip -n "$br" link add br0 type bridge
ip -n "$br" link set br0 up

# addhost NS PORT ADDR…: a namespace whose eth0 is plugged into br0 as PORT.
addhost() {
  local n=$1 port=$2
  shift 2
  ip netns add "$n"
  made+=("$n")
  ip -n "$n" link set lo up
  ip -n "$br" link add "$port" type veth peer name eth0 netns "$n"
  ip -n "$br" link set "$port" master br0 up
  for a in "$@"; do ip -n "$n" addr add "$a/15" dev eth0; done
  ip -n "$n" link set eth0 up
}

srv=$PREFIX-srv
addhost "$srv" psrv "$SERVER_IP"
for s in net.core.somaxconn net.ipv4.tcp_max_syn_backlog; do
  ip netns exec "$srv" sysctl -qw "$s=$(sysctl -n "$s")"
done

per_host=$(((CLIENTS + HOSTS - 1) / HOSTS))
addrs=$(((per_host + PER_ADDR - 1) / PER_ADDR))
host_ns=()
host_ips=()
for ((i = 0; i < HOSTS; i++)); do
  n=$PREFIX-h$i
  ! ns_exists "$n" || die "network namespace $n exists already"
  list=()
  for ((a = 1; a <= addrs; a++)); do list+=("198.18.$((i + 1)).$a"); done
  addhost "$n" "p$i" "${list[@]}"
  host_ns+=("$n")
  host_ips+=("198.18.$((i + 1)).1-198.18.$((i + 1)).$addrs")
done
say "$HOSTS host(s) × $per_host clients ($addrs source address(es) each), server $SERVER_IP, namespaces $PREFIX-*"

# --- the server host ------------------------------------------------------------
token_file=$work/token
(umask 077 && head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$token_file")
scheme=ws
ctl_scheme=http
serve_tls=()
run_tls=()
if [ "$CONTROL_TLS" = 1 ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=$SERVER_IP" \
    -addext "subjectAltName=IP:$SERVER_IP" -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
  serve_tls=(--control-tls --tls-cert "$work/cert.pem" --tls-key "$work/key.pem")
  run_tls=(--ca-cert "$work/cert.pem")
  scheme=wss
  ctl_scheme=https
fi
# shellcheck disable=SC2206
serve_extra=($SERVE_ARGS)
ip netns exec "$srv" nice -n "$SERVER_NICE" timeout -k 5 3600 "$bin" serve --listen "$SERVER_IP:$WS_PORT" --control "$SERVER_IP:$CTL_PORT" \
  --control-token-file "$token_file" --broadcast-interval "$BROADCAST" "${serve_tls[@]}" "${serve_extra[@]}" \
  >"$work/serve.out" 2>"$work/serve.err" &
serve_pid=$!
pids+=("$serve_pid")
for _ in $(seq 100); do
  grep -q '^control API:' "$work/serve.out" && break
  kill -0 "$serve_pid" 2>/dev/null || { cat "$work/serve.err" >&2; die "server exited"; }
  sleep 0.1
done
grep -q '^control API:' "$work/serve.out" || { cat "$work/serve.err" >&2; die "server not ready after 10 s"; }
sed 's/^/hosts.sh: server: /' "$work/serve.out" >&2

# --- the shards: one command on every host but for its index -------------------
start=$(awk -v now="$EPOCHREALTIME" -v lead="$LEAD" 'BEGIN { printf "%.3f", now + lead }')
run_s=$(awk -v c="$CLIENTS" -v r="$RAMP_RATE" -v ct="$(seconds "$CONNECT_TIMEOUT")" -v h="$(seconds "$HOLD")" \
  -v w="$(seconds "$RECOVER_TIMEOUT")" -v k="$STORMS" 'BEGIN { printf "%d", c / r + ct + k * (h + w) + 1 }')
limit=$((LEAD + run_s + 120))
loops=()
if [ "$LOOPS" -gt 0 ]; then
  loops=(--workers $((LOOPS / HOSTS > 1 ? LOOPS / HOSTS : 1)) --loops 1)
fi
# shellcheck disable=SC2206
extra=($ARGS)
shard_pids=()
for ((i = 0; i < HOSTS; i++)); do
  mkdir -p "$work/h$i"
  # The token travels in the environment (a command line is readable by
  # every user of the machine).
  STORMBENCH_CONTROL_TOKEN=$(cat "$token_file") ip netns exec "${host_ns[$i]}" \
    nice -n "$NICE" timeout -k 5 "$limit" "$bin" run --quiet \
    --url "$scheme://$SERVER_IP:$WS_PORT/ws" --control "$ctl_scheme://$SERVER_IP:$CTL_PORT" "${run_tls[@]}" \
    --shard "$i/$HOSTS" --start-at "$start" --clients "$CLIENTS" --ramp-rate "$RAMP_RATE" \
    --connect-timeout "$CONNECT_TIMEOUT" --hold "$HOLD" --fault "$FAULT" --fault-fraction "$FRACTION" \
    --storms "$STORMS" --recover-timeout "$RECOVER_TIMEOUT" --backoff-base "$BACKOFF_BASE" \
    --backoff-max "$BACKOFF_MAX" --jitter "$JITTER" --interval "$INTERVAL" --source-ips "${host_ips[$i]}" \
    "${loops[@]}" --out "$work/h$i" "${extra[@]}" >"$work/h$i.out" 2>"$work/h$i.err" &
  shard_pids+=($!)
  pids+=($!)
done
say "shards start at $start (Unix seconds), about ${run_s}s each"

# --- hosts that die mid-run ---------------------------------------------------
declare -A killed=()
killers=()
for i in "${!kill_at[@]}"; do
  (
    sleep "$(awk -v s="$start" -v d="${kill_at[$i]}" -v now="$EPOCHREALTIME" 'BEGIN { w = s + d - now; printf "%.3f", (w > 0 ? w : 0) }')"
    ip -n "${host_ns[$i]}" link set eth0 down
    for p in $(ip netns pids "${host_ns[$i]}"); do kill -KILL "$p" 2>/dev/null || true; done
    echo "hosts.sh: host $i died $(awk -v s="$start" -v now="$EPOCHREALTIME" 'BEGIN { printf "%.1f", now - s }')s after the start (link down, processes killed)" >&2
  ) &
  pids+=($!)
  killers+=($!)
  killed[$i]=1
done

codes=()
for ((i = 0; i < HOSTS; i++)); do
  rc=0
  wait "${shard_pids[$i]}" || rc=$?
  codes+=("$rc")
done
for p in "${killers[@]}"; do wait "$p" || die "the killing of a host failed (see above)"; done
kill -TERM "$serve_pid" 2>/dev/null || true
wait "$serve_pid" || true

# --- copy every host's results folder, as off K machines -------------------------
copied=()
lost=()
for ((i = 0; i < HOSTS; i++)); do
  d=$(find "$work/h$i" -mindepth 2 -maxdepth 2 -name shard.json -printf '%h\n' 2>/dev/null | head -1)
  if [ -z "$d" ]; then
    lost+=("$i")
    copied+=("")
    say "host $i: no results (exit ${codes[$i]}$([ -n "${killed[$i]:-}" ] && echo ", killed"))"
    [ -n "${killed[$i]:-}" ] || sed "s/^/hosts.sh: host $i: /" "$work/h$i.err" >&2
    continue
  fi
  mkdir -p "$OUT/hosts/h$i"
  cp -r "$d" "$OUT/hosts/h$i/"
  cp "$work/h$i.err" "$OUT/hosts/h$i/stderr.log"
  copied+=("hosts/h$i/$(basename "$d")")
  [ "${codes[$i]}" = 0 ] || say "host $i: stormbench run exited with ${codes[$i]} (its results are kept)"
done
cp "$work/serve.err" "$OUT/server-stderr.log"

# --- merge ---------------------------------------------------------------------------
shards=()
for c in "${copied[@]}"; do [ -z "$c" ] || shards+=("$OUT/$c"); done
[ ${#shards[@]} -gt 0 ] || die "no host delivered results"
refused_rc=null
refused_msg=
partial=false
merge_rc=0
if [ ${#lost[@]} -eq 0 ]; then
  "$bin" merge --out "$OUT/merged" "${shards[@]}" >"$OUT/merge.txt" 2>"$work/merge.err" || merge_rc=$?
else
  say "host(s) ${lost[*]} delivered no results: merge must refuse the set"
  rc=0
  "$bin" merge --out "$work/refused" "${shards[@]}" >/dev/null 2>"$work/refused.err" || rc=$?
  refused_rc=$rc
  refused_msg=$(cat "$work/refused.err")
  say "merge without --partial: exit $rc: $refused_msg"
  "$bin" merge --partial --out "$OUT/merged" "${shards[@]}" >"$OUT/merge.txt" 2>"$work/merge.err" || merge_rc=$?
  partial=true
fi
if [ "$merge_rc" != 0 ]; then
  cat "$work/merge.err" >&2
  die "merge exited with $merge_rc"
fi

# --- what happened, for people and for programs ----------------------------------------
json_str() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g' | awk 'BEGIN { ORS = "" } NR > 1 { print "\\n" } { print }'; }
{
  echo "{"
  echo "  \"hosts\": $HOSTS,"
  echo "  \"clients\": $CLIENTS,"
  echo "  \"start_at\": $start,"
  echo "  \"server\": \"$SERVER_IP\","
  echo "  \"control\": \"$ctl_scheme://$SERVER_IP:$CTL_PORT\","
  echo "  \"shards\": ["
  for ((i = 0; i < HOSTS; i++)); do
    sep=,
    [ "$i" -lt $((HOSTS - 1)) ] || sep=
    res=null
    [ -z "${copied[$i]}" ] || res="\"${copied[$i]}\""
    echo "    {\"host\": $i, \"namespace\": \"${host_ns[$i]}\", \"source_ips\": \"${host_ips[$i]}\", \"exit\": ${codes[$i]}, \"killed\": $([ -n "${killed[$i]:-}" ] && echo true || echo false), \"results\": $res}$sep"
  done
  echo "  ],"
  echo "  \"merge_refused_exit\": $refused_rc,"
  echo "  \"merge_refused\": \"$(json_str "$refused_msg")\","
  echo "  \"partial\": $partial,"
  echo "  \"merged\": \"merged\""
  echo "}"
} >"$OUT/hosts.json"

cat "$OUT/merge.txt"
echo "hosts.sh: merged run of $HOSTS host(s): $OUT/merged (what happened: $OUT/hosts.json)" >&2
status=0
for ((i = 0; i < HOSTS; i++)); do
  [ -n "${killed[$i]:-}" ] || [ "${codes[$i]}" = 0 ] || status=1
done
exit "$status"
