package centrifuge

import (
	"time"

	"github.com/stormbench/stormbench/internal/profile"
)

// Reference is centrifuge-js (npm centrifuge) with its defaults, read in
// the installed package's build/index.js (the compiled src/utils.ts and
// src/centrifuge.ts of centrifugal/centrifuge-js):
//
//   - reconnect: backoff(n, minReconnectDelay 500, maxReconnectDelay
//     20000) = min(max, min + randomInt(0, min(max, min·2ⁿ))) ms with n
//     capped at 31 and randomInt inclusive — full jitter over a 500 ms
//     floor: 0.5–1 s, 0.5–1.5 s, 0.5–2.5 s, … up to 20 s, forever; n
//     resets once connected. The first connect is not delayed.
//   - a connect (and every command) times out after 5 s.
//   - heartbeat: the client never pings. It answers the server's {} with
//     {} when the connect reply said "pong":true, and re-arms a timer at
//     every message of the server: ping (the interval the connect reply
//     announced) + maxServerPingDelay 10 s of silence closes the
//     connection as "no ping" (connecting code 2) and reconnects. With
//     Centrifugo's default ping of 25 s that is 35 s.
//   - a subscription refused with a temporary error is retried with the
//     same backoff (minResubscribeDelay 500, maxResubscribeDelay 20000).
var Reference = profile.Timing{
	Library: "centrifuge (centrifuge-js)",
	Version: "5.8.0",
	Source: "node_modules/centrifuge/build/index.js (backoff, _getReconnectDelay, _waitServerPing, _handleServerPing, defaults); " +
		"centrifugal/centrifuge-js src/utils.ts, src/centrifuge.ts",
	Preset:            "centrifuge",
	Reconnect:         "min(20000, 500 + randInt(0, min(20000, 500·2^min(n,31)))) ms, randInt inclusive (full jitter over a 500 ms floor), forever; n resets on connect",
	ReconnectMin:      500 * time.Millisecond,
	ReconnectMax:      20 * time.Second,
	ConnectTimeout:    5 * time.Second,
	Heartbeat:         "the server sends {} every ping s (connect reply; Centrifugo 25 s) and the client answers {} when pong is true; no client ping; dead after ping + 10 s without a message",
	HeartbeatInterval: 0,
	HeartbeatTimeout:  25*time.Second + maxServerPingDelay,
}
