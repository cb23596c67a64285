package profile

import (
	"net/url"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/template"
)

// Profile is one framework's client protocol.
type Profile interface {
	// Name is the profile's name in flags and results files (socketio,
	// graphql-ws, …).
	Name() string
	// Target adjusts the user's URL the way the framework's reference
	// client does (Socket.IO's /socket.io/?EIO=4&transport=websocket,
	// Phoenix's vsn=2.0.0); it may leave it as it is.
	Target(u *url.URL)
	// Subprotocols lists the Sec-WebSocket-Protocol values the client
	// offers, in order; nil offers none.
	Subprotocols() []string
	// Open starts a new connection: it resets st and writes what the
	// client sends as soon as the upgrade is done (a CONNECT, an init,
	// a join), if anything.
	Open(c Conn, st *State)
	// Receive reads one whole message of the server (op ws.OpText or
	// ws.OpBinary) and reports what it meant through c, in order; one
	// message may hold several of the protocol's messages (Centrifugo's
	// newline-separated replies, SignalR's records, MQTT packets), and an
	// MQTT packet may span messages (kept in st). msg is only valid
	// during the call; Receive may modify it in place.
	Receive(c Conn, st *State, op ws.OpCode, msg []byte)
	// Ping writes the client's own heartbeat and reports whether the
	// protocol has one (Socket.IO's clients never ping: the server does).
	Ping(c Conn, st *State) bool
}

// Conn is the client connection a profile speaks through. The load
// generator's client implements it; tests implement it to record.
type Conn interface {
	// Vars are the connection's template variables (client ID, shard,
	// wall clock now).
	Vars() template.Vars
	// Buffer returns a scratch buffer, emptied, for building one message
	// to Send; it is valid until the next call of Buffer.
	Buffer() []byte
	// Send writes one message of the client (op ws.OpText or
	// ws.OpBinary) as kind of traffic. payload may be the Buffer.
	Send(kind Traffic, op ws.OpCode, payload []byte)
	// Data reports a data message of the server's stream: payload is the
	// application's payload inside the protocol's envelope (the field the
	// user's --seq-field applies to), seq its sequence number when the
	// protocol numbers its messages itself (hasSeq: Centrifugo's offset).
	Data(payload []byte, seq int64, hasSeq bool)
	// Event reports anything else the server's message meant.
	Event(e Event)
}

// Traffic classifies what a profile sends, for the byte and heartbeat
// counters.
type Traffic uint8

const (
	// SendControl is the protocol's own housekeeping: connect, join,
	// subscribe, acks.
	SendControl Traffic = iota
	// SendPing is the client's own heartbeat.
	SendPing
	// SendPong answers the server's heartbeat.
	SendPong
)

// EventKind says what a message of the server meant.
type EventKind uint8

const (
	// Other is a message the profile recognised as housekeeping that
	// needs no figure of its own (a join step, an ack of the client's).
	Other EventKind = iota
	// Unrecognised is a message none of the profile's rules recognised:
	// counted, and a hint that --protocol does not match the server.
	Unrecognised
	// Ready: the client finished joining (namespace joined, subscription
	// confirmed, CONNACK and SUBACK, …): from now on it receives the
	// server's stream.
	Ready
	// Refused: the server refused the client's join (a rejected
	// subscription, an unauthorised token, a CONNACK error): Code and
	// Reason say why. The client closes the connection.
	Refused
	// ServerPing is the server's heartbeat (answered already, if the
	// protocol wants an answer): a sign of life for the detection rule.
	ServerPing
	// Pong answers the client's own heartbeat: the round trip ends.
	Pong
	// Goodbye is the server telling the client it is closing or dropping
	// it (Action Cable's disconnect, SignalR's close, Centrifugo's
	// disconnect push, a namespace disconnect): Code, Reason and
	// Reconnect say what it said. The connection's end is recorded when
	// it comes.
	Goodbye
	// Malformed is a message that breaks the protocol (Rule names how);
	// the client fails the connection.
	Malformed
)

// Event is what a server's message meant beyond data.
type Event struct {
	Kind EventKind
	// Code is the protocol's code for a refusal or a goodbye (an MQTT
	// return code, a Centrifugo disconnect code), 0 when it gave none.
	Code int
	// Reason is the server's stated reason, as it sent it (only valid
	// during the Event call).
	Reason []byte
	// Reconnect says whether the server allows a reconnect: +1 yes, -1
	// no, 0 it did not say.
	Reconnect int8
	// HeartbeatTimeout, when not zero, is the detection rule the server
	// announced: a connection with nothing from the server for this long
	// is dead (Socket.IO's pingInterval + pingTimeout, STOMP's negotiated
	// heart-beat, Centrifugo's ping interval and pong timeout).
	HeartbeatTimeout time.Duration
	// Rule names the rule a Malformed message broke.
	Rule string
}

// State is what a connection remembers of its protocol. Its zero value is
// a connection that has not opened; Open resets what a new connection
// must not inherit, and keeps what a reconnect carries over (Resume).
type State struct {
	// Step is the profile's own progress through its join.
	Step uint8
	// Ready is set once the Ready event was reported.
	Ready bool
	// Ref is the profile's next message reference or packet ID.
	Ref uint32
	// Resume is what the next connection sends to resume where this one
	// stopped (Socket.IO's pid and offset, Centrifugo's epoch and
	// offset); nil when the profile keeps none.
	Resume []byte
	// Partial keeps the bytes of a protocol message split across
	// WebSocket messages (MQTT); nil when empty.
	Partial []byte
}
