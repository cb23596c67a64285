package centrifuge

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/template"
)

// Name is the profile's name in --protocol and in results files.
const Name = "centrifuge"

// clientName is the connect command's "name": centrifuge-js's own, so
// that the server counts the fleet as it counts browsers.
const clientName = "js"

// maxServerPingDelay is what centrifuge-js waits beyond the ping interval
// the server announced before it calls the connection dead.
const maxServerPingDelay = 10 * time.Second

// Profile speaks the Centrifugo client protocol v2 in JSON. It is
// immutable and shared by a fleet.
type Profile struct {
	channel *template.Template
	token   *template.Template // nil: the connect command has no token
	resume  bool
}

var _ profile.Profile = (*Profile)(nil)

// ErrNoChannel is returned by New without a channel to subscribe to.
var ErrNoChannel = errors.New("centrifuge needs --join CHANNEL, the channel to subscribe to (e.g. --join ticks or --join 'user#{{client}}')")

// New returns the profile for cfg: it subscribes to cfg.Join[0], presents
// cfg.Auth as the connection token, and asks to recover missed
// publications after a reconnect when cfg.Resume is set.
func New(cfg profile.Config) (profile.Profile, error) {
	switch {
	case len(cfg.Join) == 0 || cfg.Join[0] == nil:
		return nil, ErrNoChannel
	case len(cfg.Join) > 1:
		return nil, fmt.Errorf("centrifuge subscribes to one channel: give --join once (got %d)", len(cfg.Join))
	}
	if err := checkString("--join", cfg.Join[0], false); err != nil {
		return nil, err
	}
	if cfg.Auth != nil {
		if err := checkString("--auth", cfg.Auth, true); err != nil {
			return nil, err
		}
	}
	return &Profile{channel: cfg.Join[0], token: cfg.Auth, resume: cfg.Resume}, nil
}

// checkString refuses a template that goes inside a JSON string of the
// commands and can be seen to break it: its text (rendered for client 0
// when it has no placeholder) must not be empty or hold a quote, a
// backslash or a control character. Values from {{line}} and {{env}} are
// inserted as they are and cannot be checked here.
func checkString(flag string, t *template.Template, emptyOK bool) error {
	if !t.Static() {
		return nil
	}
	s := t.Append(nil, template.Vars{})
	if len(s) == 0 && !emptyOK {
		return fmt.Errorf("centrifuge: %s is empty (give the channel, e.g. --join ticks)", flag)
	}
	for _, c := range s {
		if c == '"' || c == '\\' || c < 0x20 {
			return fmt.Errorf("centrifuge: %s %q holds %q, which a JSON string would need escaped: give the value as the server knows it", flag, s, c)
		}
	}
	return nil
}

// Name implements profile.Profile.
func (*Profile) Name() string { return Name }

// Target implements profile.Profile: the URL stays as given (Centrifugo's
// endpoint is /connection/websocket, which centrifuge-js is given in full
// too).
func (*Profile) Target(*url.URL) {}

// Subprotocols implements profile.Profile: centrifuge-js offers none for
// JSON (only centrifuge-protobuf when told to use Protobuf), and the
// server takes a connection without one as JSON.
func (*Profile) Subprotocols() []string { return nil }

// Ping implements profile.Profile: in protocol v2 only the server pings.
func (*Profile) Ping(profile.Conn, *profile.State) bool { return false }
