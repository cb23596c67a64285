package graphqlws

import "time"

// Timing is a reference client's reconnect and heartbeat timing, as its
// source sets them by default: what a fleet imitating that client waits
// before reconnecting and how it decides a connection is dead.
type Timing struct {
	// Library and Version name the client package the values were read
	// from; Source is the file that holds them (installed package path
	// and the repository path of the framework's own source).
	Library, Version, Source string
	// Reconnect is the reconnect formula in one line: n is the number of
	// the retry, from 0.
	Reconnect string
	// Retries is how many reconnects the client tries before it gives
	// up; 0 for never giving up.
	Retries int
	// HeartbeatInterval is how often the client sends a heartbeat of its
	// own; 0 when it never does.
	HeartbeatInterval time.Duration
	// HeartbeatTimeout is how long the client waits, hearing nothing, for
	// a connection it then calls dead; 0 when it has no such rule.
	HeartbeatTimeout time.Duration
}

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
var Reference = Timing{
	Library: "graphql-ws",
	Version: "6.4.2",
	Source: "node_modules/graphql-ws/dist/client.cjs (createClient: retryAttempts, retryWait, keepAlive); " +
		"enisdenjo/graphql-ws src/client.ts",
	Reconnect: "delay = 2ⁿ s + floor(U[0,1)·2700 + 300) ms for retry n = 0…4 (1.3–4 s, 2.3–5 s, 4.3–7 s, 8.3–11 s, 16.3–19 s), " +
		"then give up; n resets on connection_ack",
	Retries:           5,
	HeartbeatInterval: 0,
	HeartbeatTimeout:  0,
}
