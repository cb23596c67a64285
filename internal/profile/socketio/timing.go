package socketio

import (
	"time"

	"github.com/stormbench/stormbench/internal/profile"
)

// Reference is socket.io-client 4.8 with its defaults, read in the
// installed package (node_modules/socket.io-client/build/cjs/manager.js,
// engine.io-client/build/cjs/socket.js; socketio/socket.io
// packages/socket.io-client/lib/manager.ts, lib/contrib/backo2.ts and
// packages/engine.io-client/lib/socket.ts).
var Reference = profile.Timing{
	Library:        "socket.io-client",
	Version:        "4.8.4",
	Source:         "socketio/socket.io packages/socket.io-client/lib/manager.ts (reconnectionDelay 1000, reconnectionDelayMax 5000, randomizationFactor 0.5), lib/contrib/backo2.ts; packages/engine.io-client/lib/socket.ts (the ping timeout)",
	Preset:         "socketio",
	Reconnect:      "1000·2ⁿ ms ± up to 50 % (one draw picks size and sign), capped at 5000 after the jitter, forever; reset on open",
	ReconnectMin:   500 * time.Millisecond,
	ReconnectMax:   5 * time.Second,
	ConnectTimeout: 20 * time.Second,
	Heartbeat:      "the server pings every pingInterval (25 s) and the client answers; no ping for pingInterval + pingTimeout (45 s with the server's defaults) closes the connection",
	// The server announces the rule in its open packet.
	HeartbeatTimeout: 45 * time.Second,
}
