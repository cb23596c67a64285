package actioncable

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/jsonpath"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/jsonstr"
	"github.com/stormbench/stormbench/internal/template"
)

// Name is the profile's name in --protocol and in results files.
const Name = "actioncable"

// Subprotocols the client offers, in the reference client's order: the
// JSON protocol, then a sentinel that a server speaking none of the
// client's versions picks (the reference client then closes and stops
// reconnecting).
const (
	Subprotocol            = "actioncable-v1-json"
	SubprotocolUnsupported = "actioncable-unsupported"
)

// ExampleJoin is the --join example the errors give.
const ExampleJoin = `--join '{"channel":"TicksChannel"}'`

// Steps of a connection (profile.State.Step).
const (
	// stepWelcome: connected, the server's welcome awaited.
	stepWelcome uint8 = iota
	// stepSubscribing: subscribe sent, confirmation awaited.
	stepSubscribing
	// stepReady: subscription confirmed.
	stepReady
	// stepRejected: subscription rejected.
	stepRejected
)

// cable is the profile: the channel identifier, a per-client template.
type cable struct {
	identifier *template.Template
}

// New returns the Action Cable profile for cfg. It needs one --join, the
// channel identifier: a JSON object naming the channel class and its
// parameters, as a consumer's subscriptions.create takes it. It refuses
// the settings Action Cable has no place for: --auth (an Action Cable
// connection is authenticated by its handshake — cookies, a header, a URL
// parameter — not by a message) and --resume.
func New(cfg profile.Config) (profile.Profile, error) {
	switch {
	case len(cfg.Join) == 0 || cfg.Join[0] == nil:
		return nil, fmt.Errorf("--join: actioncable needs the channel identifier to subscribe to, a JSON object, e.g. %s", ExampleJoin)
	case len(cfg.Join) > 1:
		return nil, fmt.Errorf("--join given %d times: actioncable subscribes to one channel per connection, e.g. %s", len(cfg.Join), ExampleJoin)
	case cfg.Auth != nil:
		return nil, errors.New("--auth: actioncable has no credentials message: Action Cable authenticates the handshake (its connect method reads cookies, headers or URL parameters); use -H 'Cookie: …' or a URL parameter instead")
	case cfg.Resume:
		return nil, errors.New("--resume: actioncable cannot resume a subscription (a reconnecting client subscribes again and misses what was broadcast meanwhile)")
	}
	id := bytes.TrimSpace(cfg.Join[0].Append(nil, template.Vars{}))
	if len(id) == 0 || id[0] != '{' || !json.Valid(id) {
		return nil, fmt.Errorf("--join %q: actioncable needs the channel identifier as a JSON object, e.g. %s", cfg.Join[0].String(), ExampleJoin)
	}
	if ch, kind, ok := jsonpath.Lookup(id, pathChannel); !ok || !kind.IsString() || len(ch) == 0 {
		return nil, fmt.Errorf("--join %q: the channel identifier has no \"channel\" (the channel's class name), e.g. %s", cfg.Join[0].String(), ExampleJoin)
	}
	return &cable{identifier: cfg.Join[0]}, nil
}

var pathChannel = mustCompile("channel")

// Name implements profile.Profile.
func (*cable) Name() string { return Name }

// Target implements profile.Profile: the URL is used as given (Rails
// mounts Action Cable at /cable by default).
func (*cable) Target(*url.URL) {}

var subprotocols = []string{Subprotocol, SubprotocolUnsupported}

// Subprotocols implements profile.Profile.
func (*cable) Subprotocols() []string { return subprotocols }

// Open implements profile.Profile: the server speaks first (welcome), so
// the client sends nothing yet.
func (*cable) Open(_ profile.Conn, st *profile.State) { *st = profile.State{} }

// Ping implements profile.Profile: an Action Cable client never pings.
func (*cable) Ping(profile.Conn, *profile.State) bool { return false }

// subscribe writes the subscribe command: the rendered identifier as a
// JSON string, as the reference client sends it.
func (p *cable) subscribe(c profile.Conn) {
	b := append(c.Buffer(), `{"command":"subscribe","identifier":"`...)
	start := len(b)
	b = p.identifier.Append(b, c.Vars())
	b = jsonstr.EscapeTail(b, start)
	b = append(b, `"}`...)
	c.Send(profile.SendControl, ws.OpText, b)
}
