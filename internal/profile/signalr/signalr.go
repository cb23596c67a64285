package signalr

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/template"
)

// Name is the profile's name in --protocol and in results files.
const Name = "signalr"

// rs is the record separator that ends every message of the JSON hub
// protocol.
const rs = 0x1e

// Profile speaks ASP.NET Core SignalR's JSON hub protocol over a
// WebSocket dialled directly (no negotiation). It is immutable and shared
// by a fleet.
type Profile struct {
	// method is the hub method the server invokes on clients to stream
	// to them (--join), matched case-insensitively as the JavaScript
	// client matches its handlers.
	method    []byte
	methodStr string
}

var _ profile.Profile = (*Profile)(nil)

// ErrNoMethod is returned by New without a method to count.
var ErrNoMethod = errors.New("signalr needs --join METHOD, the client method the hub invokes to stream to clients (e.g. --join tick for Clients.All.SendAsync(\"tick\", …))")

// New returns the profile for cfg: invocations of the client method
// cfg.Join[0] are the data.
func New(cfg profile.Config) (profile.Profile, error) {
	switch {
	case len(cfg.Join) == 0 || cfg.Join[0] == nil:
		return nil, ErrNoMethod
	case len(cfg.Join) > 1:
		return nil, fmt.Errorf("signalr counts one client method: give --join once (got %d)", len(cfg.Join))
	case !cfg.Join[0].Static():
		return nil, fmt.Errorf("signalr: --join %q is a method name and cannot vary per client (no placeholders)", cfg.Join[0])
	case cfg.Auth != nil:
		return nil, errors.New("signalr: --auth is not used: a hub takes its token in the URL (?access_token=…) or a header (-H 'Authorization: Bearer …')")
	}
	m := cfg.Join[0].Append(nil, template.Vars{})
	if len(m) == 0 {
		return nil, errors.New("signalr: --join is empty (give the client method, e.g. --join tick)")
	}
	return &Profile{method: m, methodStr: string(m)}, nil
}

// Name implements profile.Profile.
func (*Profile) Name() string { return Name }

// Target implements profile.Profile: the hub's URL is dialled as given
// (the JavaScript client with skipNegotiation dials its hub URL with
// http turned into ws).
func (*Profile) Target(*url.URL) {}

// Subprotocols implements profile.Profile: none are offered.
func (*Profile) Subprotocols() []string { return nil }
