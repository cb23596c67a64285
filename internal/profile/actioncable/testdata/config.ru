# An Action Cable server (Debian's ruby-actioncable 6.1, without the rest
# of Rails) for the actioncable profile's tests, run by Puma as a Rails
# app's /cable endpoint is: the in-process async pub/sub adapter, the
# framework's fixed heartbeat (a {"type":"ping"} every 3 s) and the
# channels of ticks_channel.rb, with a broadcast {"seq":n} on 'ticks' every
# TICK_MS (100).
#
# A connection whose URL has ?deny=1 is rejected by connect (a disconnect
# "unauthorized", reconnect false). GET /restart calls
# ActionCable.server.restart: every connection gets a disconnect
# "server_restart", reconnect true, and is closed.
require 'logger'
require 'action_cable'

module ApplicationCable
  class Connection < ActionCable::Connection::Base
    def connect
      reject_unauthorized_connection if request.params['deny']
    end
  end

  class Channel < ActionCable::Channel::Base; end
end
require_relative 'ticks_channel'

tick_ms = Integer(ENV.fetch('TICK_MS', '100'), 10)
raise ArgumentError, "TICK_MS=#{tick_ms}: want a positive number of milliseconds" unless tick_ms.positive?

$stdout.sync = true
ActionCable.server.config.tap do |c|
  c.cable = { 'adapter' => 'async' }
  c.logger = Logger.new($stdout, level: Logger::WARN)
  c.connection_class = -> { ApplicationCable::Connection }
  c.mount_path = '/cable'
  # The test client sends no Origin header; a Rails app lists its origins
  # in allowed_request_origins instead.
  c.disable_request_forgery_protection = true
  c.worker_pool_size = 4
end

seq = 0
Thread.new do
  loop do
    sleep tick_ms / 1000.0
    seq += 1
    ActionCable.server.broadcast('ticks', { seq: seq })
  end
end

map('/cable') { run ActionCable.server }
map('/restart') do
  run ->(_env) { ActionCable.server.restart; [200, { 'content-type' => 'text/plain' }, ["restarted\n"]] }
end
