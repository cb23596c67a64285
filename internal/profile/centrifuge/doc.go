// Package centrifuge is the client side of Centrifugo and of servers
// built on its Go library centrifuge: client protocol v2 in its JSON
// encoding, as the reference client centrifuge-js speaks it (run
// --protocol centrifuge).
//
// # Connection
//
// The client dials the URL as given, Centrifugo's being
// ws://host:8000/connection/websocket, and offers no subprotocol: the
// server takes a connection without one as JSON (centrifuge-js offers
// centrifuge-protobuf only when told to use Protobuf, which this profile
// does not speak). Every message of either side is one or more JSON
// objects, one per line (a newline between them): commands of the client
// carry an "id", and the server's reply to a command carries the same id;
// messages the server sends on its own are pushes, {"push":{…}}.
//
// # Join and ready
//
// As soon as the upgrade is done the client sends, in one message, a
// connect command (the token from --auth, when given, and the client's
// name, "js" as centrifuge-js names itself) and a subscribe command for
// the channel --join names:
//
//	{"connect":{"token":"…","name":"js"},"id":1}
//	{"subscribe":{"channel":"ticks","flag":1},"id":2}
//
// ("flag":1 offers channel compaction, as centrifuge-js does: a server
// that allows it names the channel by a number in later pushes.) The
// connect reply, {"id":1,"connect":{"client":…,"ping":25,"pong":true}},
// announces the server's ping interval in seconds and whether it wants
// pings answered; the profile reports it as an Other event whose
// HeartbeatTimeout is the reference client's detection rule, ping + 10 s.
// The client is ready when the subscribe reply, {"id":2,"subscribe":{…}},
// arrives. Command ids go on counting across the connections of a client,
// as centrifuge-js counts them.
//
// # Heartbeat
//
// Only the server pings: an empty object, {}, every ping interval
// (Centrifugo's default 25 s), which the client answers with {} when the
// connect reply said "pong":true (reported as ServerPing, the answer sent
// as a pong). A server that gets no answer within its pong timeout
// (Centrifugo 8 s, the library 10 s) closes the connection with 3012 "no
// pong". centrifuge-js never pings; it calls the connection dead when
// nothing at all came from the server for ping + 10 s
// (maxServerPingDelay). The profile's Ping reports that the protocol has
// no client heartbeat.
//
// # Data
//
// A publication is a push {"push":{"channel":"ticks","pub":{"data":…,
// "offset":9}}}: the payload --seq-field applies to is "data" (the JSON
// value the publisher sent), and "offset", the publication's position in
// the channel's history stream, is reported as the message's own
// sequence number (absent in a channel without history). Publications
// are counted on whatever channel they come (a server-side subscription's
// too). Other pushes (join, leave, message, a server-side subscribe) are
// counted as Other.
//
// # Refusal and goodbye
//
// An error reply to the connect or subscribe command,
// {"id":2,"error":{"code":103,"message":"permission denied"}}, is
// Refused with the error's code and message. centrifuge-js tries again
// after a temporary error ("temporary":true), a code below 100 and 109
// (token expired), so those are reported with Reconnect +1, the others
// with -1. Over WebSocket Centrifugo says goodbye in the close frame:
// code 3001 "shutdown", 3012 "no pong", 3500 "invalid token", … (the load
// generator counts close codes); a disconnect push, {"push":{"disconnect":
// {"code":…,"reason":…}}}, which other transports carry, is Goodbye with
// its code and reason. Codes 3500-3999 and 4500-4999 are terminal — the
// client must not reconnect (Reconnect -1) — and all others ask for a
// reconnect (+1): 3000-3499 are the server's own, 4000-4499 an
// application's. An unsubscribe push (the server ended the subscription)
// is Goodbye too: with a code from 2500 centrifuge-js subscribes again
// (+1), below it does not (-1).
//
// # Resume
//
// With --resume the subscribe asks for a recoverable subscription
// ("recoverable":true, which a namespace with allow_recovery grants and
// force_recovery makes needless). While the server calls the subscription
// recoverable, the client keeps its stream position — the subscribe
// reply's "epoch" and "offset", then each publication's offset — in
// State.Resume, and the next connection's subscribe asks to recover from
// it: "recover":true, "offset", "epoch". The reply carries the missed
// publications in "publications" (reported as data, after Ready) and says
// "recovered":true; after a history loss (a new epoch, as after a restart
// of a node with the memory broker) it carries none. centrifuge-js asks to
// recover whenever the server made the subscription recoverable, so
// against a server forcing recovery it behaves as the profile with
// --resume.
//
// # What stormbench cannot see
//
// The profile speaks JSON only (not Protobuf), one channel, and no
// subscription or connection token refresh: a server expiring tokens
// disconnects the client (3005 "connection expired"), where centrifuge-js
// would fetch a new one. Publications with delta compression, map
// subscriptions and the "recovered" flag are not decoded; a publication
// is counted, its data passed on as it came. Publications a connect reply
// carries for server-side subscriptions (recovered with them) are not
// counted.
//
// # Sources
//
// Read for this package: centrifugal/protocol definitions/client.proto
// (the commands, replies and pushes); centrifugal/centrifuge client.go,
// disconnect.go, errors.go, handler_websocket.go (pings, pong timeout,
// disconnects in close frames, error codes); centrifugal/centrifugo
// internal/client/handler.go (recoverable subscriptions); centrifuge-js
// 5.8.0 (npm centrifuge) build/index.js, compiled from
// centrifugal/centrifuge-js src/centrifuge.ts, src/subscription.ts,
// src/utils.ts (what the reference client sends, its reconnect, ping and
// recovery rules), and its messages captured against a test server.
//
// The tests play transcripts of such conversations and run the profile
// against a server built on the centrifuge library (testdata/server, its
// own Go module, built by the test and skipped when it cannot be), and
// against a Centrifugo binary when STORMBENCH_CENTRIFUGO names one.
package centrifuge
