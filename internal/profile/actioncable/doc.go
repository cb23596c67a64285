// Package actioncable is the client side of Action Cable, the WebSocket
// framework of Ruby on Rails (run --protocol actioncable), as its
// JavaScript consumer @rails/actioncable speaks it.
//
// # Connection
//
// The URL is the user's, as given (Rails mounts Action Cable at /cable).
// The client offers two subprotocols: actioncable-v1-json, the protocol,
// and actioncable-unsupported, a sentinel a server that speaks none of the
// client's versions picks. Every message is a JSON object in a text frame.
// There are no credentials in the protocol: the server's connect method
// identifies the user from the handshake (a session cookie, a header, a
// URL parameter), so --auth is refused and -H or the URL carry them. A
// browser also sends Origin, which Rails checks against its
// allowed_request_origins; a fleet without -H 'Origin: …' is refused by a
// server that checks.
//
// # Join and ready
//
// The server speaks first. Once its connect accepted the connection it
// sends {"type":"welcome"}; the client then subscribes to the channel of
// --join:
//
//	{"command":"subscribe","identifier":"{\"channel\":\"TicksChannel\"}"}
//
// The identifier is a JSON object — the channel's class name and any
// parameters — written as a JSON string: the rendered --join, escaped.
// The server keeps it as the subscription's key and echoes it verbatim in
// everything it sends for the subscription (the reference client writes
// it compact, with JSON.stringify; --join is sent as written). The server
// answers {"identifier":…,"type":"confirm_subscription"}, and the client
// is ready. A channel class the server does not know gets no answer at
// all (Rails only logs it): such a client never becomes ready.
//
// # Heartbeat
//
// Only the server pings: {"type":"ping","message":<Unix time, s>} to every
// connection every 3 s (a constant of the framework, BEAT_INTERVAL), which
// the client does not answer; each is reported as profile.ServerPing, and
// Ping sends nothing and returns false. The server has no timeout for a
// silent client: a dead one is found when a write to it fails. The
// reference client counts any message as a sign of life and calls the
// connection stale after 6 s without one (two missed pings,
// ConnectionMonitor.staleThreshold): the profile announces that rule as
// the HeartbeatTimeout of the welcome event. There are no WebSocket ping
// frames.
//
// # Data
//
// A broadcast has no type: {"identifier":…,"message":…}. Its "message" (any
// JSON value, usually an object such as {"seq":12}) is the data message's
// payload, the value --seq-field reads (here --seq-field seq). The
// protocol does not number broadcasts. The identifier is not compared
// with the client's own, since a connection holds one subscription; as in
// the reference client, a message with a type the protocol does not
// define but with identifier and message is a broadcast too.
//
// # Refusal and goodbye
//
//   - {"identifier":…,"type":"reject_subscription"}: the channel refused
//     the subscription (its subscribed callback called reject); reported
//     as profile.Refused, without code or reason (the protocol gives
//     none).
//   - {"type":"disconnect","reason":…,"reconnect":…}: the server is
//     dropping the connection; reported as profile.Goodbye with the reason
//     and Reconnect +1 for true, -1 for false, 0 when absent. Rails sends
//     "unauthorized" (reconnect false) instead of a welcome when connect
//     rejected the connection, "server_restart" (reconnect true) when the
//     server restarts (ActionCable.server.restart, which Rails calls when
//     it reloads code, not on a shutdown); Rails 7.1 and later also send
//     "remote" when the application disconnects a user through
//     RemoteConnections, with the reconnect it chose (6.1 closes such a
//     connection without a message). The reference client stops
//     reconnecting for good when reconnect is false — or missing.
//
// A request Rails will not upgrade (an Origin it does not allow, no
// WebSocket upgrade) is answered 404 before any message, which the load
// generator records as a failed handshake.
//
// The server closes the WebSocket after a disconnect with 1000; a Rails
// app on Puma shutting down sends nothing at all: Puma no longer tracks
// the hijacked connections, which end with the process (the client sees
// 1006). Close codes are recorded by the load generator.
//
// A binary message, or text that is not a JSON object, is reported as
// profile.Malformed with the rule it broke (the reference client's
// JSON.parse throws on it and the message is lost); a JSON object that is
// none of the above is profile.Unrecognised.
//
// # Reconnect and resume
//
// Nothing carries over: every connection is a full join again (welcome,
// subscribe, confirm), and broadcasts sent while the client was away are
// lost — the async, Redis and PostgreSQL adapters keep no history — so
// --resume is refused. The reference client's reconnect timing is
// Reference: it does not reconnect on close but when its monitor finds the
// connection stale, so its first attempt comes 6–14 s after a drop.
//
// # What stormbench cannot see
//
// The subprotocol the server chose (a server picking
// actioncable-unsupported makes the reference client give up at once) and
// the close code belong to the load generator. The reference client's
// SubscriptionGuarantor re-sends subscribe every 500 ms until it is
// confirmed; a profile has no timer, so a subscribe the server never
// answers is sent once. Several subscriptions over one connection, and
// the client's own perform/message commands, are not modelled.
//
// # Sources read
//
// The reference client: @rails/actioncable 8.1.400 from npm,
// app/assets/javascripts/actioncable.js (rails/rails
// actioncable/app/javascript/action_cable/connection_monitor.js,
// connection.js, subscriptions.js, subscription_guarantor.js,
// internal.js). The server: Debian's ruby-actioncable 6.1.7.10,
// lib/action_cable/connection/base.rb (welcome, ping, disconnect),
// server/connections.rb (BEAT_INTERVAL), connection/subscriptions.rb
// (subscribe), channel/base.rb (confirm and reject), and
// lib/action_cable.rb (message types, disconnect reasons, subprotocols)
// — rails/rails actioncable/lib/action_cable/.
package actioncable
