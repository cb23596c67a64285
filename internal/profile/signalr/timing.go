package signalr

import (
	"time"

	"github.com/stormbench/stormbench/internal/profile"
)

// Reference is the JavaScript client @microsoft/signalr with
// withAutomaticReconnect() and its other defaults, read in the installed
// package's src/DefaultReconnectPolicy.ts and src/HubConnection.ts (the
// same files under dotnet/aspnetcore src/SignalR/clients/ts/signalr/src):
//
//   - reconnect: [0, 2000, 10000, 30000][n] ms, no jitter, then it stops
//     for good after the fourth failed retry; the count starts again with
//     each lost connection. Without withAutomaticReconnect() the client
//     never reconnects.
//   - keepAliveIntervalInMilliseconds 15 000: a ping {"type":6} goes out
//     when the client has sent nothing for 15 s, and one right after the
//     handshake.
//   - serverTimeoutInMilliseconds 30 000: 30 s without any message from
//     the server (its own pings come every 15 s by default) closes the
//     connection ("Server timeout elapsed without receiving a message
//     from the server") and starts the reconnects. The timer also runs
//     from the handshake request, so a handshake unanswered for 30 s
//     fails the attempt.
var Reference = profile.Timing{
	Library: "@microsoft/signalr",
	Version: "11.0.0",
	Source: "node_modules/@microsoft/signalr/src/DefaultReconnectPolicy.ts (DEFAULT_RETRY_DELAYS_IN_MILLISECONDS), " +
		"src/HubConnection.ts (DEFAULT_TIMEOUT_IN_MS, DEFAULT_PING_INTERVAL_IN_MS, _resetKeepAliveInterval, _resetTimeoutPeriod, serverTimeout, _reconnect); " +
		"dotnet/aspnetcore src/SignalR/clients/ts/signalr/src/",
	Preset:            "signalr",
	Reconnect:         "withAutomaticReconnect(): [0, 2000, 10000, 30000][n] ms, no jitter, then give up; the count restarts with each lost connection",
	ReconnectMin:      0,
	ReconnectMax:      30 * time.Second,
	Retries:           4,
	ConnectTimeout:    30 * time.Second,
	Heartbeat:         "both sides ping {\"type\":6} after 15 s without sending, unanswered; the client calls the connection dead after 30 s without any message from the server",
	HeartbeatInterval: 15 * time.Second,
	HeartbeatTimeout:  30 * time.Second,
}
