package stomp

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/template"
)

// Name is the profile's name (--protocol stomp).
const Name = "stomp"

// Host is the CONNECT frame's host header: the virtual host. STOMP 1.2
// requires the header and suggests the host name of the URL, but RabbitMQ
// takes it as its virtual host and refuses any that does not exist (a
// CONNECT with host:127.0.0.1 is answered ERROR "Bad CONNECT", "Virtual
// host '127.0.0.1' access denied"); "/" is RabbitMQ's default virtual
// host, and brokers without virtual hosts (ActiveMQ Artemis, Spring's
// simple broker) ignore the header. @stomp/stompjs sends none.
const Host = "/"

// MaxFrame is the longest frame the profile accepts, NUL included: a longer
// one is Malformed, so a frame split across WebSocket messages never keeps
// more than this in State.Partial.
const MaxFrame = 1 << 20

// Profile is STOMP 1.2 (1.1, 1.0) over WebSocket. It is immutable and safe
// for concurrent use; what one connection remembers is in its
// profile.State.
type Profile struct {
	heartbeat int64 // ms, the client's cx and cy
	auth      *template.Template
	joins     []*template.Template
}

var _ profile.Profile = (*Profile)(nil)

// New validates cfg for STOMP and returns the profile: cfg.Join names the
// destinations to subscribe to (required), cfg.Auth is login:passcode,
// cfg.HeartbeatInterval the heart-beat the client offers and asks for
// (whole milliseconds, 0 = none).
func New(cfg profile.Config) (profile.Profile, error) {
	hb := cfg.HeartbeatInterval
	switch {
	case hb < 0:
		return nil, fmt.Errorf("stomp: --heartbeat-interval %v: must not be negative (0 turns STOMP heart-beats off)", hb)
	case hb%time.Millisecond != 0:
		return nil, fmt.Errorf("stomp: --heartbeat-interval %v: STOMP heart-beats are whole milliseconds", hb)
	}
	if len(cfg.Join) == 0 {
		return nil, errors.New("stomp: --join is required: the destination to subscribe to, e.g. --join /topic/ticks")
	}
	for _, j := range cfg.Join {
		if !j.Static() {
			continue
		}
		d := j.Append(nil, template.Vars{})
		switch {
		case len(d) == 0:
			return nil, fmt.Errorf("stomp: --join %q: a destination is not empty, e.g. --join /topic/ticks", j.String())
		case bytes.ContainsAny(d, "\x00\r\n"):
			return nil, fmt.Errorf("stomp: --join %q: a destination holds no NUL, CR or LF", j.String())
		}
	}
	if cfg.Auth != nil && cfg.Auth.Static() {
		a := cfg.Auth.Append(nil, template.Vars{})
		switch {
		case bytes.IndexByte(a, ':') < 0:
			return nil, fmt.Errorf("stomp: --auth %q: want login:passcode, e.g. --auth guest:guest", cfg.Auth.String())
		case bytes.ContainsAny(a, "\x00\r\n"):
			return nil, fmt.Errorf("stomp: --auth %q: login and passcode hold no NUL, CR or LF", cfg.Auth.String())
		}
	}
	return &Profile{heartbeat: hb.Milliseconds(), auth: cfg.Auth, joins: cfg.Join}, nil
}

// Name implements profile.Profile.
func (p *Profile) Name() string { return Name }

// Target implements profile.Profile: the URL is the broker's STOMP
// endpoint as the user gave it (RabbitMQ's /ws, Spring's own path).
func (p *Profile) Target(*url.URL) {}

// Subprotocols implements profile.Profile: the versions the client
// accepts, newest first, as @stomp/stompjs offers them.
func (p *Profile) Subprotocols() []string { return []string{"v12.stomp", "v11.stomp", "v10.stomp"} }

// Open implements profile.Profile: it sends CONNECT (STOMP 1.2 "CONNECT or
// STOMP Frame").
func (p *Profile) Open(c profile.Conn, st *profile.State) {
	st.Step, st.Ready, st.Resume = stepConnect, false, nil
	releasePartial(st)
	b := append(c.Buffer(), "CONNECT\n"...)
	if p.auth != nil {
		b = p.appendAuth(b, c.Vars())
	}
	b = append(b, "accept-version:1.2,1.1,1.0\nhost:"+Host+"\nheart-beat:"...)
	b = strconv.AppendInt(b, p.heartbeat, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, p.heartbeat, 10)
	b = append(b, "\n\n\x00"...)
	c.Send(profile.SendControl, ws.OpText, b)
}

// passcodeKey goes between login and passcode.
const passcodeKey = "\npasscode"

// appendAuth appends the login and passcode headers, from --auth rendered
// and cut at its first colon (CONNECT's headers are not escaped, STOMP
// 1.2 "Value Encoding", so the passcode may hold colons).
func (p *Profile) appendAuth(b []byte, v template.Vars) []byte {
	b = append(b, "login:"...)
	at := len(b)
	b = p.auth.Append(b, v)
	if i := bytes.IndexByte(b[at:], ':'); i >= 0 {
		i += at
		n := len(b)
		b = append(b, passcodeKey...)
		copy(b[i+len(passcodeKey):], b[i:n])
		copy(b[i:], passcodeKey)
	}
	return append(b, '\n')
}

// subscribe sends a SUBSCRIBE for every destination (ids sub-0, sub-1, …
// as @stomp/stompjs numbers them), the last with a receipt: its RECEIPT
// means the broker processed them all, in order.
func (p *Profile) subscribe(c profile.Conn, st *profile.State, escape bool) {
	v := c.Vars()
	for i, j := range p.joins {
		b := append(c.Buffer(), "SUBSCRIBE\nid:sub-"...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, "\ndestination:"...)
		at := len(b)
		b = j.Append(b, v)
		if escape {
			b = escapeFrom(b, at)
		}
		if i == len(p.joins)-1 {
			b = append(b, "\nreceipt:sub-"...)
			b = strconv.AppendInt(b, int64(i), 10)
		}
		b = append(b, "\n\n\x00"...)
		c.Send(profile.SendControl, ws.OpText, b)
	}
	st.Step = st.Step&^stepMask | stepSubscribe
}

// escapeFrom escapes the header value b[at:] in place (STOMP 1.2 "Value
// Encoding": backslash, LF, CR and colon).
func escapeFrom(b []byte, at int) []byte {
	extra := 0
	for _, ch := range b[at:] {
		if ch == '\\' || ch == '\n' || ch == '\r' || ch == ':' {
			extra++
		}
	}
	if extra == 0 {
		return b
	}
	n := len(b)
	for range extra {
		b = append(b, 0)
	}
	w := len(b)
	for r := n - 1; r >= at; r-- {
		ch := b[r]
		var e byte
		switch ch {
		case '\\':
			e = '\\'
		case '\n':
			e = 'n'
		case '\r':
			e = 'r'
		case ':':
			e = 'c'
		default:
			w--
			b[w] = ch
			continue
		}
		w -= 2
		b[w], b[w+1] = '\\', e
	}
	return b
}

// Ping implements profile.Profile: a heart-beat is one EOL (STOMP 1.2
// "Heart-beating"). It sends nothing and reports false before CONNECTED
// and when the negotiation turned the client's heart-beats off (the
// client offered 0, the server wants none, or the server speaks 1.0);
// STOMP has no answer to a heart-beat, so there is no round trip.
func (p *Profile) Ping(c profile.Conn, st *profile.State) bool {
	if st.Step&stepMask == stepConnect || st.Step&flagNoPing != 0 {
		return false
	}
	c.Send(profile.SendPing, ws.OpText, append(c.Buffer(), '\n'))
	return true
}
