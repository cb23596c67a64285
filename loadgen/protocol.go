package loadgen

import (
	"fmt"
	"strings"
	"time"

	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/socketio"
)

// Protocol is what the clients speak after the upgrade (run --protocol),
// written as its name: stormbench's own messages, a server's own JSON
// formats, or the protocol of a real-time framework (docs/protocols.md).
type Protocol string

// Protocols; what each does is in protocols.
const (
	// ProtocolStormbench is stormbench's own JSON messages, as the
	// embedded server speaks them.
	ProtocolStormbench Protocol = "stormbench"
	// ProtocolJSON is a server's own JSON formats, described by the
	// Formats flags (--app-ping, --app-pong, --seq-field, --ack, …).
	ProtocolJSON Protocol = "json"
	// ProtocolSocketIO is Socket.IO 5 over Engine.IO 4.
	ProtocolSocketIO Protocol = socketio.Name
)

// DefaultProtocol is the protocol of a zero Config.Protocol and of
// --protocol.
const DefaultProtocol = ProtocolStormbench

// protocolSpec is what a protocol is and how its reference client
// behaves.
type protocolSpec struct {
	name Protocol
	// doc says in a few words what it is, for --help and errors.
	doc string
	// new builds a framework's profile; nil for stormbench and json,
	// which the client speaks itself (frames.go).
	new func(profile.Config) (profile.Profile, error)
	// preset is the reconnect policy of the framework's reference client,
	// the default with this protocol unless the user gives --policy or a
	// backoff flag.
	preset Preset
	// heartbeat is the reference client's heartbeat, the default with
	// this protocol unless the user gives a --heartbeat flag; the timeout
	// then also follows what the server announces (socket.io's
	// pingInterval + pingTimeout).
	heartbeat Heartbeat
}

// protocols is the table: every protocol and what it does.
var protocols = [...]protocolSpec{
	{name: ProtocolStormbench, doc: "stormbench's own messages (the embedded server's)"},
	{name: ProtocolJSON, doc: "a server's own JSON formats (--app-ping, --app-pong, --seq-field, --ack)"},
	{name: ProtocolSocketIO, doc: "Socket.IO 4 (protocol 5 over Engine.IO 4, websocket transport)",
		new:    func(c profile.Config) (profile.Profile, error) { return socketio.New(c) },
		preset: PresetSocketIO,
		// socket.io-client: the server pings every pingInterval (25 s by
		// default); no ping for pingInterval + pingTimeout (45 s) is death.
		heartbeat: Heartbeat{Mode: HeartbeatServer, Interval: 25 * time.Second, Timeout: 45 * time.Second}},
}

// Protocols returns the protocols in the order the docs present them.
func Protocols() []Protocol {
	out := make([]Protocol, len(protocols))
	for i, p := range protocols {
		out[i] = p.name
	}
	return out
}

// spec returns p's row of the table ("" is the default); ok is false for
// an unknown protocol.
func (p Protocol) spec() (protocolSpec, bool) {
	if p == "" {
		p = DefaultProtocol
	}
	for _, s := range protocols {
		if s.name == p {
			return s, true
		}
	}
	return protocolSpec{name: p}, false
}

// String returns the protocol's name.
func (p Protocol) String() string { return string(p) }

// Framework reports whether p is a real-time framework's protocol,
// spoken through a profile, rather than stormbench's or a server's own
// JSON.
func (p Protocol) Framework() bool {
	s, _ := p.spec()
	return s.new != nil
}

// Doc says in a few words what p is.
func (p Protocol) Doc() string {
	s, _ := p.spec()
	return s.doc
}

// Reference returns the reconnect preset and heartbeat of p's reference
// client; ok is false for stormbench and json, which have none.
func (p Protocol) Reference() (preset Preset, hb Heartbeat, ok bool) {
	s, _ := p.spec()
	return s.preset, s.heartbeat, s.new != nil
}

// joinProtocols writes the protocols as "a, b, c" for help and errors.
func joinProtocols() string {
	s := make([]string, len(protocols))
	for i, p := range protocols {
		s[i] = string(p.name)
	}
	return strings.Join(s, ", ")
}

// JoinProtocols writes the protocols as "a, b, c" for help texts.
func JoinProtocols() string { return joinProtocols() }

// checkProtocol reports an unknown protocol.
func checkProtocol(p Protocol) error {
	if _, ok := p.spec(); !ok {
		return fmt.Errorf("must be one of %s (got %q)", joinProtocols(), p)
	}
	return nil
}
