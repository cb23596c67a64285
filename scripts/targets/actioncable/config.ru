# An Action Cable 6.1 server (Debian's ruby-actioncable) without the rest of
# Rails, served by Puma 5 as a Rails app's /cable endpoint is: the in-process
# "async" pub/sub adapter, one process, the framework's fixed heartbeat (a
# {"type":"ping"} every 3 s, ActionCable::Server::Connections::BEAT_INTERVAL)
# and a stream of data: every TICK_MS a broadcast {"seq":n} on the stream of
# the channel `TicksChannel`.
#
# Environment (defaults in brackets):
#   TICK_MS [1000]                 broadcast period
#   ACTIONCABLE_STATS_PORT [9351]  GET /stats → {"joined","connections","seq"}
#   ACTIONCABLE_RESTART_NOTICE [0] 1: on a graceful stop, send every client
#       {"type":"disconnect","reason":"server_restart","reconnect":true} and a
#       close frame first (ActionCable.server.restart). A Rails app on Puma
#       does not do that on SIGTERM: Puma does not track the hijacked
#       WebSocket connections, so they just end with the process.
require 'logger'
require 'json'
require 'socket'
require 'action_cable'

tick_ms = Integer(ENV.fetch('TICK_MS', '1000'), 10)
stats_port = Integer(ENV.fetch('ACTIONCABLE_STATS_PORT', '9351'), 10)
raise ArgumentError, "TICK_MS=#{tick_ms}: want a positive number of milliseconds" unless tick_ms.positive?

module ApplicationCable
  class Connection < ActionCable::Connection::Base; end
  class Channel < ActionCable::Channel::Base; end
end

class TicksChannel < ApplicationCable::Channel
  def subscribed
    stream_from 'ticks'
  end
end

$stdout.sync = true
ActionCable.server.config.tap do |c|
  c.cable = { 'adapter' => 'async' }
  c.logger = Logger.new($stdout, level: Logger::INFO)
  c.connection_class = -> { ApplicationCable::Connection }
  c.mount_path = '/cable'
  # The reference clients (and stormbench) send no Origin header; a Rails
  # app would list its origins in allowed_request_origins instead.
  c.disable_request_forgery_protection = true
  c.worker_pool_size = 4
end

$seq = 0
Thread.new do
  loop do
    sleep tick_ms / 1000.0
    $seq += 1
    ActionCable.server.broadcast('ticks', { seq: $seq })
  end
end

# The server's own count, served on a loopback port of its own.
def cable_stats
  conns = ActionCable.server.connections
  joined = conns.count do |c|
    c.subscriptions.identifiers.any? { |id| (JSON.parse(id)['channel'] rescue nil) == 'TicksChannel' }
  end
  { joined: joined, connections: conns.size, seq: $seq }
end
stats = TCPServer.new('127.0.0.1', stats_port)
Thread.new do
  loop do
    s = stats.accept
    begin
      line = s.gets.to_s
      while (h = s.gets) && h != "\r\n"; end
      body, status = line.start_with?('GET /stats') ? [JSON.generate(cable_stats) + "\n", '200 OK'] : ["GET /stats\n", '404 Not Found']
      s.write "HTTP/1.1 #{status}\r\ncontent-type: application/json\r\ncontent-length: #{body.bytesize}\r\nconnection: close\r\n\r\n#{body}"
    rescue StandardError
      nil
    ensure
      s.close
    end
  end
end

at_exit { ActionCable.server.restart } if ENV['ACTIONCABLE_RESTART_NOTICE'] == '1'

map('/cable') { run ActionCable.server }
map('/') { run ->(_env) { [404, { 'content-type' => 'text/plain' }, ["Action Cable at /cable\n"]] } }
