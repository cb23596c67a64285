package mqtt

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/template"
)

// Name is the profile's name (--protocol mqtt).
const Name = "mqtt"

// Protocol levels of the CONNECT packet.
const (
	// V311 is MQTT 3.1.1 (protocol level 4), the default.
	V311 = 4
	// V5 is MQTT 5.
	V5 = 5
)

// DefaultClientID is the client identifier when Config.ClientID is nil:
// one per client of the fleet, the same on every reconnect (as MQTT.js
// keeps its generated id), so that a persistent session is found again.
const DefaultClientID = "stormbench-{{client}}"

// SessionExpiry is the MQTT 5 Session Expiry Interval a persistent client
// asks for: long enough to outlast any outage a run provokes, short enough
// that a fleet's sessions do not pile up on a staging broker for days.
// (MQTT 3.1.1 has no expiry: a clean-session-off session lives until the
// broker's own limit, mosquitto's persistent_client_expiration.)
const SessionExpiry = time.Hour

// MaxPacket is the longest packet the profile accepts (fixed header
// included): a longer one is Malformed before any of it is buffered, so a
// packet split across WebSocket messages never keeps more than this in
// State.Partial. MQTT allows 256 MiB; real-time payloads are far smaller.
const MaxPacket = 1 << 20

// maxString is the longest UTF-8 string field of MQTT (a 16-bit length).
const maxString = 1<<16 - 1

// Profile is MQTT 3.1.1 or 5 over WebSocket. It is immutable and safe for
// concurrent use; what one connection remembers is in its profile.State.
type Profile struct {
	version    byte
	qos        byte
	persistent bool
	keepAlive  uint16
	clientID   *template.Template
	auth       *template.Template
	joins      []*template.Template
}

var _ profile.Profile = (*Profile)(nil)

// New validates cfg for MQTT and returns the profile: cfg.Join names the
// topic filters to subscribe to (required; all of them in one SUBSCRIBE),
// cfg.ClientID the client identifier (DefaultClientID when nil), cfg.Auth
// the user name, cfg.HeartbeatInterval the keep-alive (whole seconds, 0 =
// off), cfg.QoS the subscription's QoS (0 or 1), cfg.Persistent a session
// that outlives the connection, cfg.Version 4 (MQTT 3.1.1, also for 0) or 5.
func New(cfg profile.Config) (profile.Profile, error) {
	p := &Profile{qos: byte(cfg.QoS), persistent: cfg.Persistent, auth: cfg.Auth}
	switch cfg.Version {
	case 0, V311:
		p.version = V311
	case V5:
		p.version = V5
	case 3:
		return nil, errors.New("mqtt: --protocol-version 3: MQTT 3.1 (MQIsdp) is not supported; use 4 (MQTT 3.1.1) or 5")
	default:
		return nil, fmt.Errorf("mqtt: --protocol-version %d: want 4 (MQTT 3.1.1) or 5", cfg.Version)
	}
	if cfg.QoS != 0 && cfg.QoS != 1 {
		return nil, fmt.Errorf("mqtt: --qos %d: want 0 or 1 (stormbench does not speak QoS 2's four-packet exchange)", cfg.QoS)
	}
	hb := cfg.HeartbeatInterval
	switch {
	case hb < 0:
		return nil, fmt.Errorf("mqtt: --heartbeat-interval %v: must not be negative (0 turns MQTT keep-alive off)", hb)
	case hb%time.Second != 0:
		return nil, fmt.Errorf("mqtt: --heartbeat-interval %v: the MQTT keep-alive is whole seconds", hb)
	case hb > maxString*time.Second:
		return nil, fmt.Errorf("mqtt: --heartbeat-interval %v: the MQTT keep-alive is at most 65535s", hb)
	}
	p.keepAlive = uint16(hb / time.Second)

	if len(cfg.Join) == 0 {
		return nil, errors.New("mqtt: --join is required: the topic filter to subscribe to, e.g. --join ticks or --join 'sensors/+/temperature'")
	}
	for _, j := range cfg.Join {
		if err := checkFilter(j); err != nil {
			return nil, fmt.Errorf("mqtt: --join %q: %w", j.String(), err)
		}
	}
	p.joins = cfg.Join

	p.clientID = cfg.ClientID
	if p.clientID == nil {
		t, err := template.Parse(DefaultClientID, template.Options{Context: template.InBody})
		if err != nil {
			panic(err) // a constant that parses
		}
		p.clientID = t
	}
	if p.clientID.MaxLen() > maxString {
		return nil, fmt.Errorf("mqtt: --client-id %q: may render to %d bytes; MQTT allows %d", p.clientID.String(), p.clientID.MaxLen(), maxString)
	}
	if p.clientID.Static() && p.clientID.MaxLen() == 0 && p.persistent {
		return nil, errors.New("mqtt: --client-id '' with --persistent: a persistent session needs a client identifier (MQTT 3.1.1 §3.1.3.1)")
	}
	if p.auth != nil && p.auth.MaxLen() > maxString {
		return nil, fmt.Errorf("mqtt: --auth %q: may render to %d bytes; MQTT allows %d", p.auth.String(), p.auth.MaxLen(), maxString)
	}
	return p, nil
}

// checkFilter checks a topic filter (MQTT 3.1.1 §4.7): one that depends on
// the client is only checked for length; the broker refuses a bad one in
// its SUBACK.
func checkFilter(t *template.Template) error {
	if t.MaxLen() > maxString {
		return fmt.Errorf("may render to %d bytes; MQTT allows %d", t.MaxLen(), maxString)
	}
	if !t.Static() {
		return nil
	}
	f := string(t.Append(nil, template.Vars{}))
	if f == "" {
		return errors.New("a topic filter is at least one character (MQTT 3.1.1 §4.7.3), e.g. ticks")
	}
	if strings.IndexByte(f, 0) >= 0 {
		return errors.New("a topic filter must not hold U+0000 (MQTT 3.1.1 §1.5.3)")
	}
	levels := strings.Split(f, "/")
	for i, l := range levels {
		if strings.Contains(l, "#") && (l != "#" || i != len(levels)-1) {
			return errors.New("# must be a whole level and the last one (MQTT 3.1.1 §4.7.1.2), e.g. sensors/#")
		}
		if strings.Contains(l, "+") && l != "+" {
			return errors.New("+ must be a whole level (MQTT 3.1.1 §4.7.1.3), e.g. sensors/+/temperature")
		}
	}
	return nil
}

// Name implements profile.Profile.
func (p *Profile) Name() string { return Name }

// Target implements profile.Profile: the URL is the broker's WebSocket
// endpoint as the user gave it (/mqtt by convention; mosquitto accepts any
// path).
func (p *Profile) Target(*url.URL) {}

// Subprotocols implements profile.Profile: "mqtt", for 3.1.1 and 5 alike
// (MQTT 3.1.1 §6, MQTT 5 §6).
func (p *Profile) Subprotocols() []string { return []string{"mqtt"} }

// Ping implements profile.Profile: PINGREQ (§3.12); the broker's PINGRESP
// ends the round trip.
func (p *Profile) Ping(c profile.Conn, _ *profile.State) bool {
	c.Send(profile.SendPing, ws.OpBinary, append(c.Buffer(), pingreq<<4, 0))
	return true
}
