#!/bin/sh
# Start, stop or restart scripts/staging/node/server.js in the background, as
# a deploy would restart it (kill, down for $NODE_DOWN seconds, start again).
#
#   node.sh start|stop|restart DIR [PORT [TOKENS_FILE]]
#
# DIR holds the pid file and the log. Run `npm install` in this folder once.
set -eu
cmd=${1:?usage: node.sh start|stop|restart DIR [PORT [TOKENS_FILE]]}
dir=${2:?usage: node.sh $cmd DIR [PORT [TOKENS_FILE]]}
here=$(cd "$(dirname "$0")" && pwd)
pid="$dir/node.pid"

start() {
	mkdir -p "$dir"
	shift 2 2>/dev/null || true
	nohup node "$here/server.js" "$@" >>"$dir/node.log" 2>&1 &
	echo $! >"$pid"
}

stop() {
	[ -e "$pid" ] || return 0
	p=$(cat "$pid")
	kill "$p" 2>/dev/null || true
	i=0
	while kill -0 "$p" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	rm -f "$pid"
}

case $cmd in
start) start "$@" ;;
stop) stop ;;
restart)
	stop
	sleep "${NODE_DOWN:-1}"
	start "$@"
	echo "node server restarted"
	;;
*)
	echo "node.sh: unknown command $cmd (start, stop, restart)" >&2
	exit 2
	;;
esac
