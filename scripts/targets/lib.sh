# Shared by scripts/targets/*/{install,start,restart,stop,stats}: sourced, not run.
#
# Every target keeps its pid file and log under $TARGETS_RUN_DIR/<name>
# (default /tmp/stormbench-targets/<name>), listens on 127.0.0.1 only, and
# prints the ws:// URL a client should use on stdout (everything else goes
# to stderr), so `url=$(scripts/targets/socketio/start)` works.

TARGETS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TARGETS_RUN_DIR=${TARGETS_RUN_DIR:-/tmp/stormbench-targets}

say() { echo "$*" >&2; }
die() {
	echo "$*" >&2
	exit 1
}
# die_log LOG MSG: fail, showing the last lines of LOG.
die_log() {
	echo "$2" >&2
	[ -f "$1" ] && tail -n 5 "$1" | sed 's/^/  | /' >&2
	exit 1
}
# bad VAR=VALUE: a setting given by the user is refused, exit 2.
bad() {
	echo "$*" >&2
	exit 2
}

# run_dir NAME: create and print the state folder of a target.
run_dir() {
	mkdir -p "$TARGETS_RUN_DIR/$1"
	echo "$TARGETS_RUN_DIR/$1"
}

# check_port VAR VALUE: a port given by the user is validated as given.
check_port() {
	case $2 in
	'' | *[!0-9]*) bad "$1=$2: want a TCP port number (1-65535)" ;;
	esac
	[ "$2" -ge 1 ] && [ "$2" -le 65535 ] || bad "$1=$2: want a TCP port number (1-65535)"
}

# check_ms VAR VALUE: a positive number of milliseconds.
check_ms() {
	case $2 in
	'' | *[!0-9]* | 0) bad "$1=$2: want a positive whole number of milliseconds" ;;
	esac
}

# npm_install: install the pinned npm packages of scripts/targets (shared by
# every target's server and reference client) unless the lock file's tree is
# already there. Idempotent.
npm_install() {
	if [ -f "$TARGETS_DIR/node_modules/.package-lock.json" ] &&
		cmp -s <(node -e 'const l=require(process.argv[1]);console.log(JSON.stringify(Object.keys(l.packages).filter(k=>k).map(k=>[k,l.packages[k].version]).sort()))' "$TARGETS_DIR/package-lock.json") \
			<(node -e 'const l=require(process.argv[1]);console.log(JSON.stringify(Object.keys(l.packages).filter(k=>k).map(k=>[k,l.packages[k].version]).sort()))' "$TARGETS_DIR/node_modules/.package-lock.json"); then
		say "npm packages already installed ($TARGETS_DIR/node_modules)"
		return 0
	fi
	(cd "$TARGETS_DIR" && npm ci --no-audit --no-fund >&2)
}

# apt_install PKG...: install Debian packages that are missing, without
# letting their maintainer scripts start a system-wide service (which would
# listen on every interface): a policy-rc.d that refuses every start is put in
# place for the duration when the machine has none.
apt_install() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		say "Debian packages already installed: $*"
		return 0
	fi
	local policy=/usr/sbin/policy-rc.d made=
	if [ ! -e $policy ]; then
		printf '#!/bin/sh\nexit 101\n' >$policy
		chmod +x $policy
		made=1
	fi
	[ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -print -quit 2>/dev/null)" ] || apt-get update >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 || {
		[ -z "$made" ] || rm -f $policy
		die "apt-get install ${missing[*]} failed"
	}
	[ -z "$made" ] || rm -f $policy
}

# wait_port PORT SECONDS [PIDFILE]: wait until 127.0.0.1:PORT accepts a TCP
# connection; give up early when the process of PIDFILE has exited.
wait_port() {
	local i=0 n=$(($2 * 10))
	while [ $i -lt $n ]; do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
			return 0
		fi
		if [ -n "${3:-}" ] && ! alive "$3"; then
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# port_free PORT: true when nothing listens on 127.0.0.1:PORT.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# alive PIDFILE: true when the pid file names a running process.
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# stop_pid PIDFILE [SECONDS]: SIGTERM (a graceful shutdown: each server
# closes its clients' connections the way its framework does on a deploy),
# wait up to SECONDS (10), then SIGKILL. Removes the pid file.
stop_pid() {
	local f=$1 secs=${2:-10} p i=0
	[ -f "$f" ] || return 0
	p=$(cat "$f")
	if kill -0 "$p" 2>/dev/null; then
		kill -TERM "$p" 2>/dev/null || true
		while kill -0 "$p" 2>/dev/null && [ $i -lt $((secs * 10)) ]; do
			sleep 0.1
			i=$((i + 1))
		done
		if kill -0 "$p" 2>/dev/null; then
			say "pid $p still running after ${secs}s: SIGKILL"
			kill -KILL "$p" 2>/dev/null || true
		fi
	fi
	rm -f "$f"
}

# spawn PIDFILE LOG CMD...: start CMD in the background, detached from this
# shell, and record its pid.
spawn() {
	local f=$1 log=$2
	shift 2
	nohup setsid "$@" >>"$log" 2>&1 </dev/null &
	echo $! >"$f"
}
