// Package graphqlws is the client side of GraphQL over WebSocket as the
// graphql-ws library speaks it (run --protocol graphql-ws): the protocol
// of Apollo Server 4, GraphQL Yoga, Hasura, Hot Chocolate and any server
// built on graphql-ws's useServer.
//
// # Connection
//
// The URL is the user's, as given (servers conventionally mount it at
// /graphql). The client offers the subprotocol graphql-transport-ws; a
// graphql-ws server closes a connection that did not agree on it with
// 4406. Every message either way is a JSON object in a text frame with a
// string "type".
//
// # Join and ready
//
// The client speaks first: {"type":"connection_init"}, with the rendered
// --auth as its "payload" when set (a JSON object the server's onConnect
// reads: a token, a session). The server answers {"type":"connection_ack"}
// (or closes the connection, see below). The client then subscribes:
//
//	{"id":"…","type":"subscribe","payload":{"query":"<--join>"}}
//
// where the query is the rendered --join written as a JSON string, exactly
// as the reference client's JSON.stringify writes it. The id is the
// client's own: the reference client makes a random UUID v4; this profile
// makes one of the same shape from the shard and the client ID, so that
// it is stable across reconnects as the reference client's is. The
// protocol has no acknowledgement of a subscription (the first next is the
// first sign it works), so the client is ready as soon as connection_ack
// arrived and subscribe was sent.
//
// # Heartbeat
//
// Either side may send {"type":"ping"} (an optional "payload" object); the
// other answers {"type":"pong"} echoing the payload. A pong may also be
// sent alone, as a one-way heartbeat. Here:
//
//   - the client's ping (Ping, when the fleet's heartbeat asks for one) is
//     answered by the server's pong, reported as profile.Pong, which ends
//     the round trip; a pong when no ping is outstanding is the server's
//     one-way heartbeat, reported as profile.ServerPing;
//   - a server's ping is answered at once with a pong (payload echoed) and
//     reported as profile.ServerPing.
//
// The reference client sends no ping with its defaults (keepAlive 0) and
// has no timeout of its own: a dead server is noticed only when TCP
// reports it, or never on a silent half-open connection. graphql-ws's
// server sends no protocol ping either: its ws adapter sends a WebSocket
// ping frame every keepAlive (12 s by default) and terminates the socket
// (no close frame: the client sees 1006) when the pong is not back within
// another keepAlive. Those frames are below this profile: the load
// generator answers them like any WebSocket client. No detection rule is
// announced, so the profile never reports a HeartbeatTimeout.
//
// # Data
//
// {"id":"…","type":"next","payload":{…}} carries one result of the
// subscription: its "payload" — a GraphQL execution result such as
// {"data":{"ticks":{"seq":110}}} — is the data message's payload, the
// object --seq-field reads (here --seq-field data.ticks.seq). The protocol
// does not number its messages itself. A query or mutation sent as --join
// gets one next and then complete.
//
// # Refusal and goodbye
//
// Within the protocol:
//
//   - {"id":"…","type":"error","payload":[{"message":…},…]} ends the
//     subscription with GraphQL errors: a query that does not validate,
//     one the server's onSubscribe refused, a stream that failed. It is
//     reported as profile.Refused with the first error's message as
//     Reason.
//   - {"id":"…","type":"complete"} is the server ending the subscription
//     normally; reported as profile.Goodbye (no code, no reason). The
//     connection stays open; the reference client, having nothing left to
//     listen to, closes it with 1000.
//
// Everything else the server refuses it refuses by closing the WebSocket
// with a code of the 4400 range; the load generator records the close code
// itself:
//
//	4400  Bad Request: a message the server could not parse or validate
//	4401  Unauthorized: subscribe before connection_ack
//	4403  Forbidden: onConnect refused the connection_init (bad credentials)
//	4406  Subprotocol not acceptable: graphql-transport-ws not agreed
//	4408  Connection initialisation timeout: no connection_init within
//	      connectionInitWaitTimeout (3 s by default)
//	4409  Subscriber for <id> already exists: the id is in use on this
//	      connection
//	4429  Too many initialisation requests: a second connection_init
//	4500  Internal server error
//
// A server shutting down (useServer's dispose) closes every socket with
// 1001 "Going away". The reference client never retries after 4400, 4401,
// 4406, 4409, 4429 and 4500 (nor after its own 4004 and 4005, nor most
// 1xxx codes: see Reference), and retries after 4403 and 4408.
//
// A message that breaks the protocol — not a JSON object with a string
// type, a type the protocol does not define, anything but connection_ack,
// ping or pong before connection_ack, a next without an object payload,
// an error whose payload is not an array, a next, error or complete
// without an id — is reported as profile.Malformed with the rule it broke:
// the reference client closes the connection with 4004 "Bad response" on
// each. A next, error or complete for another id, or after the
// subscription ended, and the client's own message types coming from the
// server, are profile.Unrecognised (the reference client ignores them).
//
// # Reconnect and resume
//
// Nothing carries over: a reconnecting client sends connection_init and
// subscribes again (same id), and the server starts a fresh execution of
// the subscription. Whatever was published while the client was away is
// lost; the protocol has no offset or replay, so --resume is refused.
// The reference client's reconnect timing is Reference.
//
// # What stormbench cannot see
//
// The profile sees messages, not frames: WebSocket pings of the server's
// keep-alive, the negotiated subprotocol and the close code are the load
// generator's to record. A subscription that the server accepted but that
// never yields looks like a ready client receiving nothing. Several
// subscriptions over one connection (which graphql-ws multiplexes by id)
// are not modelled: one --join, one subscription per connection.
//
// # Sources read
//
// The protocol: enisdenjo/graphql-ws PROTOCOL.md. The reference client:
// graphql-ws 6.4.2 from npm, dist/client.cjs and dist/common-*.cjs
// (enisdenjo/graphql-ws src/client.ts, src/common.ts): message shapes,
// validation, close codes, retry and keep-alive defaults. The server:
// dist/server-*.cjs and dist/use/ws.cjs (src/server.ts, src/use/ws.ts):
// the close codes and the WebSocket-level keep-alive.
package graphqlws
