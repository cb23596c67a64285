package mqtt

import (
	"time"

	"github.com/stormbench/stormbench/internal/profile"
)

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
var Reference = profile.Timing{
	Preset:            "mqttjs",
	Heartbeat:         "PINGREQ every keep-alive (60 s); no PINGRESP (or other reset) within 1.5 × keep-alive closes the connection",
	Library:           "mqtt (MQTT.js)",
	Version:           "5.16.0",
	Source:            "mqttjs/MQTT.js src/lib/client.ts (defaultConnectOptions, _setupReconnect), src/lib/KeepaliveManager.ts",
	Reconnect:         "a fixed reconnectPeriod (1000 ms) after every close, no backoff, no jitter, forever",
	ReconnectMin:      1000 * time.Millisecond,
	ReconnectMax:      1000 * time.Millisecond,
	ConnectTimeout:    30 * time.Second,
	HeartbeatInterval: 60 * time.Second,
	HeartbeatTimeout:  90 * time.Second,
}
