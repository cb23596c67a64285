# Sourced by stomp/start after env.sh: write the node's configuration.
mkdir -p "$dir/log" "$dir/mnesia"
echo '[rabbitmq_management,rabbitmq_web_stomp].' >"$dir/enabled_plugins"
cat >"$dir/rabbitmq.conf" <<CONF
# Written by scripts/targets/stomp/start.
listeners.tcp.1 = 127.0.0.1:$amqp
# STOMP over WebSocket (rabbitmq_web_stomp), path /ws.
web_stomp.tcp.ip = 127.0.0.1
web_stomp.tcp.port = $port
web_stomp.ws_path = /ws
# The plain STOMP listener (rabbitmq_stomp, a dependency) is not needed.
stomp.listeners.tcp = none
# Management API (the joined count), loopback, refreshed every second.
management.tcp.ip = 127.0.0.1
management.tcp.port = $mgmt
collect_statistics_interval = 1000
# AMQP 0-9-1 heartbeat (s); STOMP heart-beats are negotiated per connection
# from the client's CONNECT header.
heartbeat = 30
loopback_users.guest = true
log.console = false
log.file.level = info
CONF
