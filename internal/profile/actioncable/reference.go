package actioncable

import (
	"time"

	"github.com/stormbench/stormbench/internal/profile"
)

const (
	// ServerPingInterval is how often an Action Cable server pings every
	// connection: a constant of the framework
	// (ActionCable::Server::Connections::BEAT_INTERVAL), not a setting.
	ServerPingInterval = 3 * time.Second
	// StaleThreshold is the reference client's detection rule: a
	// connection from which nothing (ping or other) came for longer than
	// this is stale (ConnectionMonitor.staleThreshold, two missed pings).
	StaleThreshold = 2 * ServerPingInterval
	// ReopenDelay is how long the reference client waits between closing
	// a stale connection that is still open and opening the next one
	// (Connection.reopenDelay).
	ReopenDelay = 500 * time.Millisecond
	// BackoffRate is the growth of the reference client's poll interval
	// per stale poll (ConnectionMonitor.reconnectionBackoffRate).
	BackoffRate = 0.15
)

// Reference is the timing of @rails/actioncable, the JavaScript consumer
// of Rails. It has no reconnect of its own on close: a ConnectionMonitor
// polls on a timer started when the connection was opened, and a poll
// that finds the connection stale (nothing received for more than
// StaleThreshold) counts an attempt and reopens the connection, unless
// the last disconnect is more recent than StaleThreshold (the attempt
// still counts). The count resets on welcome; the monitor stops for good
// when a disconnect says reconnect false (or does not say: the client
// passes the missing value on as false). So the first reconnect comes
// 6–14 s after a drop, whatever the close said.
var Reference = profile.Timing{
	Library: "@rails/actioncable",
	Version: "8.1.400",
	Source: "node_modules/@rails/actioncable/app/assets/javascripts/actioncable.js (ConnectionMonitor, Connection); " +
		"rails/rails actioncable/app/javascript/action_cable/connection_monitor.js, connection.js",
	Reconnect: "poll every 6 s·1.15^min(n,10)·(1 + U[0,1) for n = 0, else U[0,0.15)); a poll finding nothing received for over 6 s " +
		"makes n+1 and reopens unless disconnected less than 6 s ago (an open stale socket is closed, reopened 500 ms later); " +
		"n resets on welcome; never gives up unless a disconnect says reconnect false",
	Preset:            "actioncable",
	ReconnectMin:      StaleThreshold,
	Retries:           0,
	Heartbeat:         "the server pings every 3 s; the client does not answer and calls a connection stale after 6 s without a message",
	HeartbeatInterval: 0,
	HeartbeatTimeout:  StaleThreshold,
}
