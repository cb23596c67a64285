// Package profile is the client side of the real-time frameworks staging
// servers run on top of WebSocket — Socket.IO, graphql-ws, Action Cable,
// Centrifugo, Phoenix Channels, SignalR, MQTT, STOMP — as profiles a
// stormbench client speaks after the upgrade (run --protocol NAME).
//
// A Profile is immutable and shared by a fleet; what one connection must
// remember (how far its join went, the next message reference, a resume
// token) lives in a small State the client owns. The client hands every
// message it receives to Receive, which reports through the client's Conn
// what the message meant (data, a heartbeat, the client now ready, a
// refusal, the server's goodbye) and writes the answers the protocol
// requires (a pong, the next step of the join, an ack). Profiles do not
// allocate per message once a connection is ready: they parse in place
// and write into the buffers the Conn lends them.
//
// Each profile's package documents its wire format in its own words, the
// reference client whose timing the fleet follows, and what stormbench
// cannot see.
package profile
