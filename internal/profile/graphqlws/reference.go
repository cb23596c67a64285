package graphqlws

import (
	"time"

	"github.com/stormbench/stormbench/internal/profile"
)

// Reference is the timing of the graphql-ws npm client (createClient with
// its defaults). It reconnects only after a close event (a socket error
// such as a refused connection ends the subscription: the default
// shouldRetry accepts close events only), never after the close codes it
// treats as fatal (4400, 4401, 4406, 4409, 4429, 4500, 4004, 4005, and
// every 1xxx code but 1000, 1001, 1005, 1006, 1012, 1013 and 1014), and
// resets its retry count when a connection is acknowledged. A close with
// 1000 while the subscription is still wanted is reconnected at once,
// without a wait and without counting a retry. Its keepAlive is 0: it sends no ping of its own and has
// no timeout (a dead server is noticed only when TCP says so).
var Reference = profile.Timing{
	Library: "graphql-ws",
	Version: "6.4.2",
	Source: "node_modules/graphql-ws/dist/client.cjs (createClient: retryAttempts, retryWait, keepAlive); " +
		"enisdenjo/graphql-ws src/client.ts",
	Reconnect: "delay = 2ⁿ s + floor(U[0,1)·2700 + 300) ms for retry n = 0…4 (1.3–4 s, 2.3–5 s, 4.3–7 s, 8.3–11 s, 16.3–19 s), " +
		"then give up; n resets on connection_ack",
	Preset:            "graphql-ws",
	ReconnectMin:      1300 * time.Millisecond,
	ReconnectMax:      19 * time.Second,
	Retries:           5,
	Heartbeat:         "keepAlive 0: the client sends no ping and has no timeout; it answers the server's pings (and the ws adapter's WebSocket pings)",
	HeartbeatInterval: 0,
	HeartbeatTimeout:  0,
}
