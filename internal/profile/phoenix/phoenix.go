package phoenix

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/template"
)

// Name is the profile's name in --protocol and in results files.
const Name = "phoenix"

// vsn is the serializer version the client asks for: V2, arrays.
const vsn = "2.0.0"

// Profile speaks Phoenix Channels with the V2 JSON serializer. It is
// immutable and shared by a fleet.
type Profile struct {
	topic   *template.Template
	payload *template.Template // nil: {}
}

var _ profile.Profile = (*Profile)(nil)

// ErrNoTopic is returned by New without a topic to join.
var ErrNoTopic = errors.New("phoenix needs --join TOPIC, the channel topic to join (e.g. --join room:lobby or --join 'user:{{client}}')")

// New returns the profile for cfg: it joins topic cfg.Join[0] with
// cfg.Auth as the join's payload (a JSON object; {} without one).
func New(cfg profile.Config) (profile.Profile, error) {
	switch {
	case len(cfg.Join) == 0 || cfg.Join[0] == nil:
		return nil, ErrNoTopic
	case len(cfg.Join) > 1:
		return nil, fmt.Errorf("phoenix joins one topic: give --join once (got %d)", len(cfg.Join))
	}
	if t := cfg.Join[0]; t.Static() {
		s := t.Append(nil, template.Vars{})
		if len(s) == 0 {
			return nil, errors.New("phoenix: --join is empty (give the topic, e.g. --join room:lobby)")
		}
		for _, c := range s {
			if c == '"' || c == '\\' || c < 0x20 {
				return nil, fmt.Errorf("phoenix: --join %q holds %q, which a JSON string would need escaped: give the topic as the server knows it", s, c)
			}
		}
	}
	if a := cfg.Auth; a != nil && a.Static() {
		s := a.Append(nil, template.Vars{})
		if !json.Valid(s) || !strings.HasPrefix(strings.TrimSpace(string(s)), "{") {
			return nil, fmt.Errorf(`phoenix: --auth is the join payload and must be a JSON object (e.g. --auth '{"token":"{{line tokens.txt}}"}'), got %q`, s)
		}
	}
	return &Profile{topic: cfg.Join[0], payload: cfg.Auth}, nil
}

// Name implements profile.Profile.
func (*Profile) Name() string { return Name }

// Target implements profile.Profile as phoenix.js builds its URL from the
// endpoint it is given (ws://host/socket): /websocket is appended to the
// path unless it ends so already, and vsn=2.0.0 is set in the query (a
// server without it speaks the V1 serializer).
func (*Profile) Target(u *url.URL) {
	u.Path = websocketPath(u.Path)
	if u.RawPath != "" {
		u.RawPath = websocketPath(u.RawPath)
	}
	switch q := u.Query(); {
	case q.Has("vsn"):
		q.Set("vsn", vsn)
		u.RawQuery = q.Encode()
	case u.RawQuery == "":
		u.RawQuery = "vsn=" + vsn
	default: // after the user's parameters, in their order, as phoenix.js puts it
		u.RawQuery += "&vsn=" + vsn
	}
}

// websocketPath is path ending in /websocket (a final slash dropped).
func websocketPath(path string) string {
	path = strings.TrimSuffix(path, "/")
	if strings.HasSuffix(path, "/websocket") {
		return path
	}
	return path + "/websocket"
}

// Subprotocols implements profile.Profile: phoenix.js offers none (its
// token-in-subprotocol option aside).
func (*Profile) Subprotocols() []string { return nil }
