#!/bin/sh
# nginx as a WebSocket reverse proxy in front of a server, for trying
# stormbench against a proxy it did not write, and for restarting that proxy
# as a deploy would (a fault stormbench does not inject: --fault
# exec:'scripts/staging/nginx.sh restart …', or by hand while a run
# observes).
#
#   nginx.sh start   DIR [LISTEN [UPSTREAM]]   write DIR/nginx.conf, start nginx
#   nginx.sh stop    DIR                       fast stop: every proxied connection closed
#   nginx.sh restart DIR [LISTEN [UPSTREAM]]   stop, down for $NGINX_DOWN seconds (1), start
#   nginx.sh reload  DIR                       graceful reload (old workers finish their connections)
#
# LISTEN defaults to 127.0.0.1:9200 and UPSTREAM to 127.0.0.1:9201 (stormbench
# serve --listen 127.0.0.1:9201). Every path nginx writes is under DIR.
set -eu
cmd=${1:?usage: nginx.sh start|stop|restart|reload DIR [LISTEN [UPSTREAM]]}
dir=${2:?usage: nginx.sh $cmd DIR [LISTEN [UPSTREAM]]}
listen=${3:-127.0.0.1:9200}
upstream=${4:-127.0.0.1:9201}
conf="$dir/nginx.conf"
pid="$dir/nginx.pid"

write_conf() {
	mkdir -p "$dir"
	cat >"$conf" <<EOF
worker_processes 1;
worker_rlimit_nofile 20000;
error_log $dir/error.log;
pid $pid;
events { worker_connections 16000; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  # RFC 6455 §4.1 through a proxy: HTTP/1.1 and the hop-by-hop Upgrade and
  # Connection headers passed on.
  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
  server {
    listen $listen;
    location / {
      proxy_pass http://$upstream;
      proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_read_timeout 3600s;
    }
  }
}
EOF
}

stop() {
	[ -e "$pid" ] || return 0
	nginx -p "$dir" -c "$conf" -s stop
	# nginx removes its pid file once every worker is gone; bounded wait.
	i=0
	while [ -e "$pid" ] && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ ! -e "$pid" ] || { echo "nginx.sh: nginx did not stop within 10s" >&2; exit 1; }
}

case $cmd in
start)
	write_conf
	nginx -p "$dir" -c "$conf"
	;;
stop) stop ;;
restart)
	stop
	sleep "${NGINX_DOWN:-1}"
	write_conf
	nginx -p "$dir" -c "$conf"
	echo "nginx restarted"
	;;
reload) nginx -p "$dir" -c "$conf" -s reload ;;
*)
	echo "nginx.sh: unknown command $cmd (start, stop, restart, reload)" >&2
	exit 2
	;;
esac
