package stomp

import (
	"time"

	"github.com/stormbench/stormbench/internal/profile"
)

// Reference is @stomp/stompjs with its defaults: heart-beat 10 s both
// ways, a fixed reconnectDelay of 5 s.
//
// Its heart-beat (a lone EOL) goes out every max(heartbeatOutgoing, the
// server's wish) on a plain interval timer, whether or not other frames
// were sent; it checks every max(heartbeatIncoming, the server's offer)
// and closes the connection when nothing at all came from the server for
// heartbeatToleranceMultiplier (2) times that: 20 s with the defaults and a
// server that offers 10 s or less. Both timers start at CONNECTED
// (_setupHeartbeat), only when CONNECTED negotiated them: before it the
// client waits as long as the broker takes (connectionTimeout 0), and a
// broker that sends no heart-beats is never called dead for its silence.
// reconnectTimeMode LINEAR (the default)
// waits reconnectDelay after every close, no jitter; EXPONENTIAL doubles
// it up to maxReconnectDelay (15 min).
var Reference = profile.Timing{
	Preset:            "stompjs",
	Heartbeat:         "heart-beats negotiated both ways (10 s); nothing from the server for 2 × the negotiated interval closes the connection",
	Library:           "@stomp/stompjs",
	Version:           "7.5.0",
	Source:            "stomp-js/stompjs src/client.ts (reconnectDelay, heartbeatIncoming/Outgoing, heartbeatToleranceMultiplier, scheduleReconnect), src/stomp-handler.ts (_setupHeartbeat)",
	Reconnect:         "a fixed reconnectDelay (5000 ms) after every close, no jitter (reconnectTimeMode LINEAR), forever",
	ReconnectMin:      5 * time.Second,
	ReconnectMax:      5 * time.Second,
	ConnectTimeout:    0,
	HeartbeatInterval: 10 * time.Second,
	HeartbeatTimeout:  20 * time.Second,
	WatchFromReply:    true,
}
