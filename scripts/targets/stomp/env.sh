# Sourced by stomp/{start,stop,stats,rabbitmqctl}: where this RabbitMQ node
# keeps everything, and the settings that keep it on loopback. Needs $dir.
port=${STOMP_PORT:-9360}
check_port STOMP_PORT "$port"
stats=${STOMP_STATS_PORT:-$((port + 1))}
check_port STOMP_STATS_PORT "$stats"
amqp=${STOMP_AMQP_PORT:-$((port + 2))}
check_port STOMP_AMQP_PORT "$amqp"
mgmt=${STOMP_MGMT_PORT:-$((port + 3))}
check_port STOMP_MGMT_PORT "$mgmt"
dist=${STOMP_DIST_PORT:-$((port + 4))}
check_port STOMP_DIST_PORT "$dist"
# The node runs as the calling user (not through Debian's wrapper in
# /usr/sbin, which switches to the rabbitmq user): its cookie, database and
# logs live under $dir.
export HOME=$dir
export RABBITMQ_NODENAME=stormbench@localhost
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=$amqp
export RABBITMQ_DIST_PORT=$dist
export RABBITMQ_CONFIG_FILE=$dir/rabbitmq.conf
export RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins
export RABBITMQ_MNESIA_BASE=$dir/mnesia
export RABBITMQ_LOG_BASE=$dir/log
export RABBITMQ_PID_FILE=$dir/rabbitmq.pid
export RABBITMQ_LOGS=$dir/log/rabbit.log
# epmd (started by the first Erlang node) and the distribution listener on
# loopback only, for the server and for every CLI call.
export ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
rmq=/usr/lib/rabbitmq/bin
