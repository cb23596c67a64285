package loadgen

import (
	"fmt"
	"strings"
	"time"

	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/actioncable"
	"github.com/stormbench/stormbench/internal/profile/centrifuge"
	"github.com/stormbench/stormbench/internal/profile/graphqlws"
	"github.com/stormbench/stormbench/internal/profile/mqtt"
	"github.com/stormbench/stormbench/internal/profile/phoenix"
	"github.com/stormbench/stormbench/internal/profile/signalr"
	"github.com/stormbench/stormbench/internal/profile/socketio"
	"github.com/stormbench/stormbench/internal/profile/stomp"
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
	// ProtocolGraphQLWS is GraphQL over WebSocket (graphql-transport-ws).
	ProtocolGraphQLWS Protocol = graphqlws.Name
	// ProtocolActionCable is Rails' Action Cable (actioncable-v1-json).
	ProtocolActionCable Protocol = actioncable.Name
	// ProtocolCentrifuge is Centrifugo's client protocol v2 (JSON).
	ProtocolCentrifuge Protocol = centrifuge.Name
	// ProtocolPhoenix is Phoenix Channels (V2 JSON serializer).
	ProtocolPhoenix Protocol = phoenix.Name
	// ProtocolSignalR is ASP.NET Core SignalR's JSON hub protocol.
	ProtocolSignalR Protocol = signalr.Name
	// ProtocolMQTT is MQTT 3.1.1 or 5 over WebSocket.
	ProtocolMQTT Protocol = mqtt.Name
	// ProtocolSTOMP is STOMP 1.2 over WebSocket.
	ProtocolSTOMP Protocol = stomp.Name
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
	// reference is the framework's reference client: its reconnect
	// preset is the default with this protocol unless the user gives
	// --policy or a backoff flag, and its heartbeat, of which a --heartbeat
	// flag changes only what it names (Heartbeat.onReference); the timeout
	// also follows what the server announces (Heartbeat.FollowServer)
	// unless the user gave one.
	reference profile.Timing
	// serverPing is how often the server pings, for a reference client
	// that only listens to the server's pings (Heartbeat.Interval in
	// server mode).
	serverPing time.Duration
	// resumes says that the protocol can resume where a lost connection
	// stopped (Socket.IO's connection-state recovery, Centrifugo's
	// recovery): Config.Resume is on unless the user turns it off. A
	// protocol that cannot leaves it off, and refuses it only when the
	// user asks for it (graphql-ws, Action Cable).
	resumes bool
}

// protocols is the table: every protocol and what it does.
var protocols = [...]protocolSpec{
	{name: ProtocolStormbench, doc: "stormbench's own messages (the embedded server's)"},
	{name: ProtocolJSON, doc: "a server's own JSON formats (--app-ping, --app-pong, --seq-field, --ack)"},
	resumes(framework(ProtocolSocketIO, "Socket.IO 4 (protocol 5 over Engine.IO 4, websocket transport)", socketio.Reference, 25*time.Second,
		func(c profile.Config) (profile.Profile, error) { return socketio.New(c) })),
	framework(ProtocolGraphQLWS, "GraphQL subscriptions over WebSocket (graphql-ws, subprotocol graphql-transport-ws)", graphqlws.Reference, 0, graphqlws.New),
	framework(ProtocolActionCable, "Rails Action Cable (actioncable-v1-json)", actioncable.Reference, 3*time.Second, actioncable.New),
	resumes(framework(ProtocolCentrifuge, "Centrifugo / centrifuge client protocol v2, JSON", centrifuge.Reference, 25*time.Second, centrifuge.New)),
	framework(ProtocolPhoenix, "Phoenix Channels (V2 JSON serializer)", phoenix.Reference, 0, phoenix.New),
	framework(ProtocolSignalR, "ASP.NET Core SignalR, JSON hub protocol (negotiation skipped)", signalr.Reference, 0, signalr.New),
	framework(ProtocolMQTT, "MQTT 3.1.1 or 5 over WebSocket (subprotocol mqtt)", mqtt.Reference, 0, mqtt.New),
	framework(ProtocolSTOMP, "STOMP 1.2 over WebSocket (v12.stomp)", stomp.Reference, 0, stomp.New),
}

// framework is a framework's row of the table.
func framework(name Protocol, doc string, ref profile.Timing, serverPing time.Duration, newProfile func(profile.Config) (profile.Profile, error)) protocolSpec {
	return protocolSpec{name: name, doc: doc, new: newProfile, reference: ref, serverPing: serverPing}
}

// resumes marks a framework's row as one whose protocol can resume.
func resumes(s protocolSpec) protocolSpec {
	s.resumes = true
	return s
}

// defaultResume is Config.Resume when the user did not set it: on for
// stormbench's protocol and json (the server reads ?resume=), and for a
// framework whose protocol can resume.
func (p Protocol) defaultResume() bool {
	s, _ := p.spec()
	return s.new == nil && DefaultResume || s.resumes
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

// Reference returns p's reference client's timing, the reconnect preset
// that reproduces it and its heartbeat: the client's own pings (app) when
// it sends any, else the server's (server) when it watches them, else
// none. ok is false for stormbench and json, which have none.
func (p Protocol) Reference() (t profile.Timing, preset Preset, hb Heartbeat, ok bool) {
	s, _ := p.spec()
	if s.new == nil {
		return profile.Timing{}, "", Heartbeat{}, false
	}
	t = s.reference
	switch {
	case t.HeartbeatInterval > 0:
		hb = Heartbeat{Mode: HeartbeatApp, Interval: t.HeartbeatInterval, Timeout: t.HeartbeatTimeout, FollowServer: true}
		if hb.Timeout <= hb.Interval {
			hb.Timeout = 2 * hb.Interval
		}
	case t.HeartbeatTimeout > 0:
		hb = Heartbeat{Mode: HeartbeatServer, Interval: s.serverPing, Timeout: t.HeartbeatTimeout, FollowServer: true}
		if hb.Interval <= 0 || hb.Interval >= hb.Timeout {
			hb.Interval = hb.Timeout / 2
		}
	default:
		hb = Heartbeat{Mode: HeartbeatNone}
	}
	return t, Preset(t.Preset), hb, true
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

// HeartbeatSet says which Heartbeat settings the user gave (the run's
// --heartbeat flags), for WithReference.
type HeartbeatSet struct {
	Mode, Interval, Timeout, Spread bool
}

// Any reports whether the user gave any heartbeat setting.
func (s HeartbeatSet) Any() bool { return s.Mode || s.Interval || s.Timeout || s.Spread }

// WithReference returns c with the timing of its protocol's reference
// client filled in, as a user of that framework's client library gets it:
// its reconnect preset and connect timeout unless keepPolicy (the user
// chose a policy or a backoff), the bound of its join unless c has a
// connect timeout of its own, and its heartbeat but for the settings in
// set, which stay the user's (see onReference). With stormbench's
// protocol or json it returns c unchanged; so it does for an unknown
// protocol, which Validate refuses.
func (c Config) WithReference(keepPolicy bool, set HeartbeatSet) Config {
	ref, preset, hb, ok := c.Protocol.Reference()
	if !ok {
		return c
	}
	if !keepPolicy && preset != "" {
		c.Policy.Preset = preset
	}
	if c.ConnectTimeout == 0 {
		// The user gave no --connect-timeout: the attempt is bounded as
		// the framework's client bounds it, join included. A client
		// with no bound of its own (graphql-ws, STOMP, Action Cable)
		// waits for the join as long as it takes; its dial still gets
		// the preset's or the default timeout (Resolve).
		if !keepPolicy {
			c.ConnectTimeout = ref.ConnectTimeout
		}
		if ref.ConnectTimeout == 0 && c.JoinTimeout == 0 {
			c.JoinTimeout = -1
		}
	}
	c.Heartbeat = c.Heartbeat.onReference(hb, set)
	return c
}

// onReference returns the heartbeat of a client that takes the reference
// client's ref and changes the settings in set to h's. A framework's
// heartbeat is the protocol's own message (an MQTT PINGREQ, a Phoenix
// heartbeat, a STOMP EOL), which its server counts and a WebSocket ping
// does not replace: --heartbeat-interval alone changes how often that
// message goes, not what it is. So the mode stays the reference's unless
// the user named another (then the heartbeat is the user's, with the
// defaults of that mode); a new interval takes the timeout that follows
// from it (Resolve's) unless the user gave one too; a timeout the user
// gave is kept as given, not replaced by what the server announces.
func (h Heartbeat) onReference(ref Heartbeat, set HeartbeatSet) Heartbeat {
	if set.Mode && h.Mode != ref.Mode {
		return h
	}
	out := ref
	if set.Interval {
		out.Interval, out.Timeout = h.Interval, 0
	}
	if set.Timeout {
		out.Timeout, out.FollowServer = h.Timeout, false
	}
	if set.Spread {
		out.Spread = h.Spread
	}
	return out
}

// ImpliedProtocol returns the protocol c speaks when Protocol is unset:
// json when Formats describe a server's own messages, else stormbench.
func (c Config) ImpliedProtocol() Protocol {
	switch {
	case c.Protocol != "":
		return c.Protocol
	case c.Formats.Custom() || c.Formats.Ack != "":
		return ProtocolJSON
	}
	return ProtocolStormbench
}
