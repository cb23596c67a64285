// Package phoenix is the client side of Phoenix Channels (Elixir's
// Phoenix framework) over WebSocket with the V2 JSON serializer, as the
// reference client phoenix.js speaks it (run --protocol phoenix).
//
// # Connection
//
// phoenix.js is given the socket's endpoint, ws://host/socket, and dials
// ws://host/socket/websocket?vsn=2.0.0: the profile's Target appends
// /websocket to the path unless it ends so already, and sets vsn=2.0.0
// after the user's own query parameters (the socket's connect params);
// without vsn the server would speak the V1 serializer (objects instead
// of arrays). No subprotocol is offered. A server refusing the socket
// (its connect callback returns an error) answers the upgrade with 403.
//
// # Messages
//
// Every text message is one JSON array, [join_ref, ref, topic, event,
// payload]: the join's reference (which join of the topic a message
// belongs to), the message's own reference (a reply carries the one of
// the message it answers), the topic, the event name and a payload
// object. References are strings the client chooses; the server echoes
// them. Binary messages are the serializer's binary form of the same
// (a kind byte — push, reply, broadcast —, the header strings' lengths,
// the strings, and the payload's bytes), which the profile decodes too.
//
// # Join and ready
//
// On every new connection the client joins the topic --join names, with
// --auth (a JSON object, rendered for the client) as the join's payload,
// {} without it:
//
//	["1","1","room:lobby","phx_join",{"token":"…"}]
//
// The client is ready when the reply to the join, a phx_reply with the
// join's reference and {"status":"ok","response":{…}}, arrives. A reply
// with "status":"error" is Refused, with the response (e.g.
// {"reason":"unauthorized"}, or "unmatched topic" for a topic no channel
// serves) as Reason and Reconnect +1: phoenix.js tries the join again
// after rejoinAfterMs. References count per connection here, the join
// taking "1"; phoenix.js counts them across the socket's life, so its
// numbers are higher, which no server looks at.
//
// # Heartbeat
//
// The client pings: every Config.HeartbeatInterval (phoenix.js: 30 s)
// Ping sends [null,"2","phoenix","heartbeat",{}] on the reserved topic
// "phoenix", and the server's phx_reply to that reference is the Pong
// (the round trip stormbench times). The server never pings. phoenix.js
// calls the connection dead when a heartbeat is still unanswered when the
// next one is due (its rule counts heartbeat replies only), closes it and
// reconnects; the server drops a connection it heard nothing from for 60
// s (the websocket transport's timeout).
//
// # Data
//
// A broadcast to the topic, [null,null,"room:lobby","tick",{"seq":1}], or
// a push of the channel to this client, ["1",null,…], is data: the
// payload (the array's fifth element) is what --seq-field applies to.
// Phoenix numbers nothing itself. The protocol's own events (phx_…) and
// Phoenix.Presence's presence_state and presence_diff are Other;
// messages of an earlier join of the topic (another join_ref) are Other
// too, as phoenix.js drops them.
//
// # Refusal and goodbye
//
// phx_error ([…,"phx_error",{"reason":"channel_crash"}]: the channel's
// process crashed) is Goodbye with the reason and Reconnect +1 (phoenix.js
// rejoins after rejoinAfterMs); phx_close (the server left the channel)
// is Goodbye with Reconnect -1 (phoenix.js does not rejoin). Both leave
// the WebSocket open: the channel ends, not the connection. The
// connection itself ends with a WebSocket close the load generator
// counts by code: 1012 when the endpoint drains its sockets on shutdown,
// 1001 when the application disconnects a socket, 1000 from phoenix.js's
// own heartbeat timeout.
//
// # Resume
//
// Phoenix Channels keep no stream position: a rejoin starts afresh, and
// what was broadcast meanwhile is lost (applications that need it send a
// position of their own in the join payload).
//
// # What stormbench cannot see
//
// The profile joins one topic and sends nothing but the join and the
// heartbeat. A channel that errors is reported, not rejoined on the same
// connection as phoenix.js would after rejoinAfterMs. The long-poll
// transport and a token passed as a subprotocol are not spoken.
//
// # Sources
//
// Read for this package: phoenixframework/phoenix
// lib/phoenix/socket/serializers/v2_json_serializer.ex (text and binary
// encodings), lib/phoenix/socket.ex (heartbeat reply, join replies and
// errors, phx_error, phx_close, drain and disconnect close codes),
// lib/phoenix/transports/websocket.ex (vsn, the 60 s timeout);
// phoenix.js 1.8.16 (npm phoenix) assets/js/phoenix/socket.js,
// channel.js, serializer.js, timer.js, constants.js (what the client
// sends, its reconnect, rejoin and heartbeat rules), and its messages
// captured against a test server.
//
// No Phoenix server can be installed on the machine this was written on
// (Phoenix comes from hex.pm): the tests run the profile against a small
// Go server in the package's test files written to the protocol above —
// it joins, refuses, replies to heartbeats, broadcasts, and drops a
// connection silent for its timeout — not against Phoenix itself.
package phoenix
