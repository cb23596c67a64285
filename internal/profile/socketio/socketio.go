package socketio

import (
	"bytes"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/jsonpath"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/template"
)

// Name is the profile's name.
const Name = "socketio"

// Profile speaks Socket.IO 5 over Engine.IO 4. It is immutable.
type Profile struct {
	ns     []byte             // nil: the main namespace
	auth   *template.Template // nil: no auth object
	resume bool
}

var _ profile.Profile = (*Profile)(nil)

// New returns the profile for cfg: Join[0], if given, is the namespace
// ("/admin"), Auth the join's auth object.
func New(cfg profile.Config) (*Profile, error) {
	p := &Profile{auth: cfg.Auth, resume: cfg.Resume}
	if len(cfg.Join) > 1 {
		return nil, errors.New("--join: a Socket.IO client joins one namespace (e.g. --join /chat)")
	}
	if len(cfg.Join) == 1 {
		t := cfg.Join[0]
		ns := string(t.Append(nil, template.Vars{}))
		if !t.Static() || !strings.HasPrefix(ns, "/") || strings.ContainsAny(ns, ",\"") {
			return nil, errors.New("--join: a Socket.IO namespace starts with /, is the same for every client and holds no comma or quote (e.g. --join /chat)")
		}
		if ns != "/" {
			p.ns = []byte(ns)
		}
	}
	return p, nil
}

// Name implements profile.Profile.
func (p *Profile) Name() string { return Name }

// Target implements profile.Profile: the path /socket.io/ unless the URL
// has one, and EIO=4&transport=websocket in the query.
func (p *Profile) Target(u *url.URL) {
	if u.Path == "" || u.Path == "/" {
		u.Path = "/socket.io/"
	}
	q := u.Query()
	q.Set("EIO", "4")
	q.Set("transport", "websocket")
	u.RawQuery = q.Encode()
}

// Subprotocols implements profile.Profile: none.
func (p *Profile) Subprotocols() []string { return nil }

// Steps of a connection.
const (
	stepOpen    uint8 = iota // waiting for Engine.IO's open packet
	stepJoining              // the join sent, waiting for its answer
)

// Open implements profile.Profile: the client waits for the server's
// open packet before it says anything.
func (p *Profile) Open(_ profile.Conn, st *profile.State) {
	st.Step, st.Ready, st.Ref = stepOpen, false, 0
	st.Partial = st.Partial[:0]
}

// Ping implements profile.Profile: an Engine.IO 4 client never pings.
func (p *Profile) Ping(profile.Conn, *profile.State) bool { return false }

var (
	pathPingInterval = mustPath("pingInterval")
	pathPingTimeout  = mustPath("pingTimeout")
	pathPID          = mustPath("pid")
	pathMessage      = mustPath("message")
)

func mustPath(s string) jsonpath.Path {
	p, err := jsonpath.Compile(s)
	if err != nil {
		panic(err)
	}
	return p
}

// Receive implements profile.Profile.
func (p *Profile) Receive(c profile.Conn, st *profile.State, op ws.OpCode, msg []byte) {
	if op != ws.OpText {
		c.Event(profile.Event{Kind: profile.Other}) // a binary attachment
		return
	}
	if len(msg) == 0 {
		c.Event(profile.Event{Kind: profile.Malformed, Rule: "empty Engine.IO packet"})
		return
	}
	switch msg[0] {
	case '0':
		p.opened(c, st, msg[1:])
	case '1':
		c.Event(profile.Event{Kind: profile.Goodbye, Reason: []byte("transport close")})
	case '2':
		c.Send(profile.SendPong, ws.OpText, append(c.Buffer(), '3'))
		c.Event(profile.Event{Kind: profile.ServerPing})
	case '3', '6':
		c.Event(profile.Event{Kind: profile.Other})
	case '4':
		p.packet(c, st, msg[1:])
	default:
		c.Event(profile.Event{Kind: profile.Unrecognised})
	}
}

// opened reads the open packet's data: the server's heartbeat rule, then
// the client joins its namespace.
func (p *Profile) opened(c profile.Conn, st *profile.State, data []byte) {
	interval, ok1 := jsonpath.Int(data, pathPingInterval)
	timeout, ok2 := jsonpath.Int(data, pathPingTimeout)
	if !ok1 || !ok2 || interval <= 0 || timeout <= 0 {
		c.Event(profile.Event{Kind: profile.Malformed, Rule: "open packet without pingInterval and pingTimeout"})
		return
	}
	c.Event(profile.Event{Kind: profile.Other, HeartbeatTimeout: time.Duration(interval+timeout) * time.Millisecond})
	c.Send(profile.SendControl, ws.OpText, p.join(c, st))
	st.Step = stepJoining
}

// join builds the join packet: 40, the namespace, and the auth object
// with the pid and offset to resume from.
func (p *Profile) join(c profile.Conn, st *profile.State) []byte {
	b := append(c.Buffer(), '4', '0')
	if p.ns != nil {
		b = append(append(b, p.ns...), ',')
	}
	pid, offset, resume := p.resumeFrom(st)
	if !resume && p.auth == nil {
		return b
	}
	start := len(b)
	b = append(b, '{')
	if resume {
		b = append(b, `"pid":"`...)
		b = append(b, pid...)
		b = append(b, `","offset":"`...)
		b = append(b, offset...)
		b = append(b, '"')
	}
	if p.auth == nil {
		return append(b, '}')
	}
	// Splice the auth object's members in after the resume fields.
	at := len(b)
	b = p.auth.Append(b, c.Vars())
	i := at
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	if i < len(b) && b[i] == '{' {
		i++
	}
	rest := b[i:]
	empty := len(bytes.TrimSpace(rest)) == 1 // just "}"
	switch {
	case !resume:
		b = append(b[:start+1], rest...)
	case empty:
		b = append(b[:at], '}')
	default:
		b = append(append(b[:at], ','), rest...)
	}
	return b
}

// resumeFrom returns the pid and offset the last connection left, when
// resuming.
func (p *Profile) resumeFrom(st *profile.State) (pid, offset []byte, ok bool) {
	if !p.resume || len(st.Resume) == 0 {
		return nil, nil, false
	}
	i := bytes.IndexByte(st.Resume, 0)
	if i <= 0 || i == len(st.Resume)-1 {
		return nil, nil, false // no pid, or no event seen yet
	}
	return st.Resume[:i], st.Resume[i+1:], true
}

// packet handles a Socket.IO packet.
func (p *Profile) packet(c profile.Conn, st *profile.State, b []byte) {
	if len(b) == 0 {
		c.Event(profile.Event{Kind: profile.Malformed, Rule: "empty Socket.IO packet"})
		return
	}
	typ := b[0]
	ns, id, data, ok := split(b[1:])
	if !ok {
		c.Event(profile.Event{Kind: profile.Malformed, Rule: "Socket.IO packet with a broken namespace or ack id"})
		return
	}
	if !p.ours(ns) {
		c.Event(profile.Event{Kind: profile.Other}) // another namespace's
		return
	}
	switch typ {
	case '0':
		p.joined(c, st, data)
	case '1':
		c.Event(profile.Event{Kind: profile.Goodbye, Reason: []byte("server namespace disconnect")})
	case '2', '5':
		p.event(c, st, id, data)
	case '3':
		c.Event(profile.Event{Kind: profile.Other})
	case '4':
		reason, _, _ := jsonpath.Lookup(data, pathMessage)
		if reason == nil {
			reason = data
		}
		c.Event(profile.Event{Kind: profile.Refused, Reason: reason})
	default:
		c.Event(profile.Event{Kind: profile.Unrecognised})
	}
}

// split reads a Socket.IO packet after its type: the namespace ("/x," or
// none), the ack id (digits, or nil) and the JSON data.
func split(b []byte) (ns, id, data []byte, ok bool) {
	if len(b) > 0 && b[0] == '/' {
		i := 0
		for i < len(b) && b[i] != ',' {
			i++
		}
		if i == len(b) {
			// A namespace alone (41/admin): no comma needed at the end.
			return b, nil, nil, true
		}
		ns, b = b[:i], b[i+1:]
	}
	i := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	if i > 0 {
		if i > 18 {
			return nil, nil, nil, false
		}
		id = b[:i]
	}
	return ns, id, b[i:], true
}

// ours reports whether namespace ns (nil: the main one) is the client's.
func (p *Profile) ours(ns []byte) bool {
	if p.ns == nil {
		return len(ns) == 0 || len(ns) == 1 && ns[0] == '/'
	}
	return bytes.Equal(ns, p.ns)
}

// joined handles the join's answer: ready, keeping the pid to resume with.
func (p *Profile) joined(c profile.Conn, st *profile.State, data []byte) {
	if p.resume {
		pid, kind, ok := jsonpath.Lookup(data, pathPID)
		switch {
		case !ok || !kind.IsString():
			st.Resume = st.Resume[:0]
		default:
			old, _, had := p.resumeFrom(st)
			if !had || !bytes.Equal(old, pid) {
				// A new session: no offset yet.
				st.Resume = append(append(st.Resume[:0], pid...), 0)
			}
		}
	}
	st.Ready = true
	c.Event(profile.Event{Kind: profile.Ready})
}

// event handles an event: its first argument is data, its last (a
// string, with recovery on) the offset to resume from, and an ack id gets
// its ack.
func (p *Profile) event(c profile.Conn, st *profile.State, id, data []byte) {
	args := jsonpath.Array(data)
	name, kind, ok := args.Next()
	if !ok || !kind.IsString() {
		c.Event(profile.Event{Kind: profile.Malformed, Rule: "event without a name"})
		return
	}
	_ = name
	var payload, last []byte
	var lastKind jsonpath.Kind
	n := 0
	for {
		raw, k, ok := args.Next()
		if !ok {
			break
		}
		if n == 0 {
			payload = raw
		}
		last, lastKind = raw, k
		n++
	}
	if args.Err() {
		c.Event(profile.Event{Kind: profile.Malformed, Rule: "event arguments are not a JSON array"})
		return
	}
	if p.resume && n > 0 && lastKind.IsString() {
		if pid, _, had := p.resumeFromPID(st); had {
			st.Resume = append(append(st.Resume[:len(pid)], 0), last...)
		}
	}
	if id != nil {
		b := append(c.Buffer(), '4', '3')
		if p.ns != nil {
			b = append(append(b, p.ns...), ',')
		}
		b = append(append(b, id...), '[', ']')
		c.Send(profile.SendControl, ws.OpText, b)
	}
	c.Data(payload, 0, false)
}

// resumeFromPID returns the pid kept, whether or not an offset was seen.
func (p *Profile) resumeFromPID(st *profile.State) ([]byte, []byte, bool) {
	i := bytes.IndexByte(st.Resume, 0)
	if i <= 0 {
		return nil, nil, false
	}
	return st.Resume[:i], nil, true
}
