package centrifuge

import (
	"fmt"
	"testing"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
	"github.com/stormbench/stormbench/internal/template"
)

// tmpl parses a message-body template.
func tmpl(t testing.TB, s string) *template.Template {
	t.Helper()
	tm, err := template.Parse(s, template.Options{Context: template.InBody, Clients: 10})
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// config is the tables' configuration: channel ticks, changed by mod.
func config(t testing.TB, mod func(*profile.Config)) profile.Config {
	cfg := profile.Config{Join: []*template.Template{tmpl(t, "ticks")}}
	if mod != nil {
		mod(&cfg)
	}
	return cfg
}

func mustNew(t testing.TB, cfg profile.Config) *Profile {
	t.Helper()
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p.(*Profile)
}

// step is one thing that happens on a connection: the client opens it, or
// the server sends a text message (binary with bin set).
type step struct {
	open bool
	recv string
	bin  bool
}

func open() step               { return step{open: true} }
func recv(s string) step       { return step{recv: s} }
func recvBinary(s string) step { return step{recv: s, bin: true} }

// run plays steps through p on client 7 with st.
func run(p *Profile, st *profile.State, steps []step) *profiletest.Conn {
	c := &profiletest.Conn{}
	c.V.Client = 7
	for _, s := range steps {
		switch {
		case s.open:
			p.Open(c, st)
		case s.bin:
			p.Receive(c, st, ws.OpBinary, []byte(s.recv))
		default:
			p.Receive(c, st, ws.OpText, []byte(s.recv))
		}
	}
	return c
}

// describe writes an event the way the tables expect it.
func describe(e profile.Event) string {
	s := [...]string{"other", "unrecognised", "ready", "refused", "server-ping", "pong", "goodbye", "malformed"}[e.Kind]
	if e.Code != 0 {
		s += fmt.Sprintf(" %d", e.Code)
	}
	if len(e.Reason) > 0 {
		s += " " + string(e.Reason)
	}
	if e.Reconnect != 0 {
		s += fmt.Sprintf(" reconnect %+d", e.Reconnect)
	}
	if e.HeartbeatTimeout != 0 {
		s += " timeout " + e.HeartbeatTimeout.String()
	}
	if e.Rule != "" {
		s += ": " + e.Rule
	}
	return s
}

func events(c *profiletest.Conn) []string {
	out := make([]string, len(c.Events))
	for i, e := range c.Events {
		out[i] = describe(e)
	}
	return out
}

func datums(c *profiletest.Conn) []string {
	out := make([]string, len(c.Datums))
	for i, d := range c.Datums {
		out[i] = d.Payload
		if d.HasSeq {
			out[i] += fmt.Sprintf(" @%d", d.Seq)
		}
	}
	return out
}

// sent returns what was sent, a pong marked as such.
func sent(c *profiletest.Conn) []string {
	out := make([]string, len(c.Sent))
	for i, s := range c.Sent {
		out[i] = s.Payload
		switch s.Kind {
		case profile.SendPong:
			out[i] = "pong " + out[i]
		case profile.SendPing:
			out[i] = "ping " + out[i]
		}
		if s.Op != ws.OpText {
			out[i] = "binary " + out[i]
		}
	}
	return out
}
