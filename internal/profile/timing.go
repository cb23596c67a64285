package profile

import "time"

// Timing is a framework's reference client's reconnect and heartbeat
// timing with its defaults, as read in the client's source: what a preset
// of the load generator copies so that a fleet reconnects and pings the
// way the framework's real clients do. Each profile package documents its
// reference client as a Timing value.
type Timing struct {
	// Library is the client package (npm name), Version the version read,
	// Source the files the values come from (the installed package's paths
	// and the repository's).
	Library, Version, Source string
	// Preset names the load generator's reconnect preset (--policy) that
	// reproduces the client's reconnect delays, "" when there is none.
	Preset string
	// Reconnect says in one line when the client reconnects: the delay
	// formula with n the number of the retry from 0, its jitter, when it
	// gives up and when its count resets.
	Reconnect string
	// ReconnectMin and ReconnectMax bound the delay before a reconnect;
	// Retries is how many reconnects it tries before it gives up (0: it
	// never does).
	ReconnectMin, ReconnectMax time.Duration
	Retries                    int
	// ConnectTimeout is how long an attempt may take, join included,
	// before the client gives up on it (0: no limit of its own).
	ConnectTimeout time.Duration
	// Heartbeat says in one line who sends heartbeats, what answers them
	// and when the client calls the connection dead.
	Heartbeat string
	// HeartbeatInterval is how often the client sends a heartbeat of its
	// own (0: it never does).
	HeartbeatInterval time.Duration
	// HeartbeatTimeout is how long the client waits, hearing nothing it
	// counts, before it calls the connection dead and reconnects (0: no
	// such rule; where it depends on what the server announces, the value
	// with the server's defaults).
	HeartbeatTimeout time.Duration
	// WatchFromReply reports that the client applies its detection rule
	// only from the server's reply that announces it (an Event's
	// HeartbeatTimeout: STOMP's CONNECTED), not from the upgrade: until
	// that reply only ConnectTimeout bounds the wait, and a reply that
	// announces no rule leaves the connection unwatched.
	WatchFromReply bool
}
