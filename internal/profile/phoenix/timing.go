package phoenix

import (
	"time"

	"github.com/stormbench/stormbench/internal/profile"
)

// Reference is phoenix.js (npm phoenix) with its defaults, read in the
// installed package's assets/js/phoenix/socket.js, channel.js, timer.js
// and constants.js (the same files in phoenixframework/phoenix):
//
//   - reconnect (reconnectAfterMs): [10, 50, 100, 150, 200, 250, 500,
//     1000, 2000][n] ms, then 5000 ms for every later try, no jitter,
//     forever; the count resets when a connection opens. Whatever the
//     close code, a connection the client did not close itself is
//     reconnected.
//   - rejoin (rejoinAfterMs): channels rejoin as soon as a connection
//     opens; a join refused or timed out (after the 10 s push timeout) is
//     retried on the same connection after [1000, 2000, 5000][n] ms, then
//     10 000 ms.
//   - heartbeat (heartbeatIntervalMs 30 000): [null,ref,"phoenix",
//     "heartbeat",{}] 30 s after the connection opened and 30 s after
//     each reply. The dead-connection rule: a heartbeat still unanswered
//     when another 30 s have passed closes the connection (1000,
//     "heartbeat timeout") and reconnects — up to 60 s after the last
//     reply; other traffic does not count. The server closes a connection
//     it heard nothing from for 60 s (the websocket transport's timeout).
var Reference = profile.Timing{
	Library: "phoenix (phoenix.js)",
	Version: "1.8.16",
	Source: "node_modules/phoenix/assets/js/phoenix/socket.js (reconnectAfterMs, rejoinAfterMs, heartbeatIntervalMs, sendHeartbeat, heartbeatTimeout), " +
		"channel.js, timer.js, constants.js (DEFAULT_TIMEOUT); phoenixframework/phoenix assets/js/phoenix/, lib/phoenix/transports/websocket.ex",
	Preset:            "phoenix",
	Reconnect:         "[10, 50, 100, 150, 200, 250, 500, 1000, 2000][n] else 5000 ms, no jitter, forever; tries reset on open; channels rejoin on open, a failed join after [1000, 2000, 5000][n] else 10000 ms",
	ReconnectMin:      10 * time.Millisecond,
	ReconnectMax:      5 * time.Second,
	ConnectTimeout:    10 * time.Second,
	Heartbeat:         "client heartbeat every 30 s after the last reply, answered by a phx_reply; dead when one is unanswered 30 s later (up to 60 s after the last reply); the server drops clients silent for 60 s",
	HeartbeatInterval: 30 * time.Second,
	HeartbeatTimeout:  60 * time.Second,
}
