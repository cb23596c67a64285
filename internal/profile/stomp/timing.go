package stomp

import "time"

// Timing is a reference client's reconnect and heartbeat timing, as its
// library ships it: what a preset of the load generator copies so that a
// fleet reconnects and pings the way real clients of the framework do.
type Timing struct {
	// Library is the npm package, Version the version read.
	Library, Version string
	// Source names the files of the library's repository the values come
	// from.
	Source string
	// Reconnect says in one line when the client reconnects.
	Reconnect string
	// ReconnectDelay is the wait before the first reconnect attempt,
	// ReconnectMax the longest wait (equal for a fixed delay).
	ReconnectDelay, ReconnectMax time.Duration
	// Jitter is the random fraction of each delay (0: none).
	Jitter float64
	// ConnectTimeout is how long an attempt may take to be accepted
	// (upgrade and CONNECTED) before the client gives up on it (0: never).
	ConnectTimeout time.Duration
	// HeartbeatInterval is how often the client sends its heartbeat;
	// HeartbeatTimeout how long it waits without the answer before it
	// declares the connection dead.
	HeartbeatInterval, HeartbeatTimeout time.Duration
}

// Reference is @stomp/stompjs with its defaults: heart-beat 10 s both
// ways, a fixed reconnectDelay of 5 s.
//
// Its heart-beat (a lone EOL) goes out every max(heartbeatOutgoing, the
// server's wish) on a plain interval timer, whether or not other frames
// were sent; it checks every max(heartbeatIncoming, the server's offer)
// and closes the connection when nothing at all came from the server for
// heartbeatToleranceMultiplier (2) times that: 20 s with the defaults and a
// server that offers 10 s or less. reconnectTimeMode LINEAR (the default)
// waits reconnectDelay after every close, no jitter; EXPONENTIAL doubles
// it up to maxReconnectDelay (15 min).
var Reference = Timing{
	Library:           "@stomp/stompjs",
	Version:           "7.5.0",
	Source:            "stomp-js/stompjs src/client.ts (reconnectDelay, heartbeatIncoming/Outgoing, heartbeatToleranceMultiplier, scheduleReconnect), src/stomp-handler.ts (_setupHeartbeat)",
	Reconnect:         "a fixed reconnectDelay (5000 ms) after every close, no jitter (reconnectTimeMode LINEAR), forever",
	ReconnectDelay:    5 * time.Second,
	ReconnectMax:      5 * time.Second,
	ConnectTimeout:    0,
	HeartbeatInterval: 10 * time.Second,
	HeartbeatTimeout:  20 * time.Second,
}
