package mqtt

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
	// (upgrade and CONNACK) before the client gives up on it (0: never).
	ConnectTimeout time.Duration
	// HeartbeatInterval is how often the client sends its heartbeat;
	// HeartbeatTimeout how long it waits without the answer before it
	// declares the connection dead.
	HeartbeatInterval, HeartbeatTimeout time.Duration
}

// Reference is MQTT.js (npm mqtt) with its defaults: MQTT 3.1.1, clean
// session, keep-alive 60 s, a reconnect every second for as long as the
// broker is away.
//
// Its keep-alive check runs every keep-alive/2; the second check without a
// reset sends PINGREQ (so a ping goes out one keep-alive after the last
// reset), and a third gives up with "Keepalive timeout" and reconnects:
// 1.5 × keep-alive without a PINGRESP (or SUBACK, PUBACK: the packets that
// reset its timer; a QoS 0 PUBLISH does not). The broker applies the same
// 1.5 × keep-alive to the client (MQTT 3.1.1 §3.1.2.10).
var Reference = Timing{
	Library:           "mqtt (MQTT.js)",
	Version:           "5.16.0",
	Source:            "mqttjs/MQTT.js src/lib/client.ts (defaultConnectOptions, _setupReconnect), src/lib/KeepaliveManager.ts",
	Reconnect:         "a fixed reconnectPeriod (1000 ms) after every close, no backoff, no jitter, forever",
	ReconnectDelay:    1000 * time.Millisecond,
	ReconnectMax:      1000 * time.Millisecond,
	ConnectTimeout:    30 * time.Second,
	HeartbeatInterval: 60 * time.Second,
	HeartbeatTimeout:  90 * time.Second,
}
