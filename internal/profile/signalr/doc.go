// Package signalr is the client side of ASP.NET Core SignalR hubs: the
// JSON hub protocol over a WebSocket dialled directly, as the JavaScript
// client @microsoft/signalr speaks it with skipNegotiation and the
// WebSockets transport (run --protocol signalr).
//
// # Connection
//
// The client dials the hub's URL as given, ws://host/hubs/ticks (the
// JavaScript client, given http://host/hubs/ticks, turns http into ws),
// with no subprotocol. The negotiate request that clients otherwise make
// first (POST /hubs/ticks/negotiate, which may redirect them or choose
// another transport) is skipped, so a hub that requires it — Azure
// SignalR Service, sticky sessions keyed on its connection token — is out
// of reach; an access token goes in the URL (?access_token=…) or in an
// Authorization header (-H), as the hub's authentication expects, not in
// the protocol (--auth is refused).
//
// # Messages
//
// Every message of either side is a JSON object ended by the record
// separator 0x1E; one WebSocket message may carry several, each with its
// own separator, and one that does not end with it is refused whole (the
// JavaScript client fails it as incomplete). "type" says what a message
// is: 1 invocation, 2 stream item, 3 completion, 4 stream invocation, 5
// cancel invocation, 6 ping, 7 close, 8 ack and 9 sequence (the last two
// only with stateful reconnect, which a connection without negotiation
// does not have).
//
// # Handshake and ready
//
// The client's first message is the handshake request,
// {"protocol":"json","version":1}␞. The server answers {}␞ — the client
// is then ready, and pings at once as the JavaScript client does — or
// {"error":"…"}␞ (an unsupported protocol or version), which is Refused
// with the error as Reason; a server that gets no handshake within its
// HandshakeTimeout (15 s) closes the connection.
//
// # Heartbeat
//
// Both sides ping with {"type":6}␞ and neither answers: a ping only keeps
// the connection busy. The server's (every KeepAliveInterval, 15 s, when
// it sent nothing else) is reported as ServerPing; the client's own is
// Ping, every Config.HeartbeatInterval (the JavaScript client: after
// keepAliveIntervalInMilliseconds, 15 s, without sending). There is no
// Pong, so stormbench times no heartbeat round trip for SignalR. The
// detection rules count any message: the JavaScript client gives up on a
// server silent for serverTimeoutInMilliseconds (30 s), the server on a
// client silent for ClientTimeoutInterval (30 s).
//
// # Data
//
// The server streams by invoking a method on its clients, an invocation
// {"type":1,"target":"tick","arguments":[{"seq":1}]}␞ with no
// invocationId. Invocations of the method --join names (matched ignoring
// case, as the JavaScript client matches handlers) are data; the payload
// --seq-field applies to is the first argument. Invocations of other
// methods, stream items, completions, acks and sequences are Other.
// SignalR numbers nothing itself.
//
// # Goodbye
//
// A close message, {"type":7,"error":"…","allowReconnect":true}␞, is
// Goodbye with the error as Reason; Reconnect is +1 when allowReconnect
// is true, and -1 otherwise: the JavaScript client reconnects after a
// close message only when it allows it — a hub ending normally sends a
// bare {"type":7}, after which the client stays disconnected even with
// automatic reconnect. A connection that just ends (a restart, a lost
// network) is reconnected by the client if it was built with
// withAutomaticReconnect().
//
// # Resume
//
// None: without negotiation there is no stateful reconnect, and what the
// hub sent while a client was away is lost.
//
// # What stormbench cannot see
//
// Negotiation and the transports other than WebSocket; the MessagePack
// protocol; client results (an invocation with an invocationId that
// waits for the client's completion goes unanswered, so the hub's call
// times out); streams the client would start itself.
//
// # Sources
//
// Read for this package: dotnet/aspnetcore
// src/SignalR/docs/specs/HubProtocol.md (the messages, the handshake,
// pings, the JSON encoding), src/SignalR/docs/specs/TransportProtocols.md,
// src/SignalR/server/Core/src/HubOptionsSetup.cs (server defaults) and
// HubConnectionHandler.cs (the close message); @microsoft/signalr 11.0.0
// (npm) src/HubConnection.ts, HandshakeProtocol.ts, TextMessageFormat.ts,
// JsonHubProtocol.ts, DefaultReconnectPolicy.ts (what the client sends,
// its keep-alive, server timeout and reconnect rules), and its messages
// captured against a test server.
//
// No ASP.NET Core server can be installed on the machine this was
// written on (no .NET SDK): the tests run the profile against a small Go
// server in the package's test files written to the protocol above — the
// handshake, invocations of a method, pings both ways, close messages and
// the client timeout — not against ASP.NET Core itself.
package signalr
