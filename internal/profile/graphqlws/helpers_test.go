package graphqlws

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
	tp, err := template.Parse(s, template.Options{Context: template.InBody})
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

// newProfile returns the profile for one --join and an optional --auth
// ("" for none).
func newProfile(t testing.TB, join, auth string) profile.Profile {
	t.Helper()
	cfg := profile.Config{Join: []*template.Template{tmpl(t, join)}}
	if auth != "" {
		cfg.Auth = tmpl(t, auth)
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// step is one moment of a conversation: the client opens, pings, or
// receives a server message (text unless op is set); then it must have
// sent, reported as data and reported as events exactly the want lists.
type step struct {
	open, ping bool
	recv       string
	op         ws.OpCode
	sent       []string
	kinds      []profile.Traffic // of sent, when checked
	data       []string
	events     []string // evt(...)
	pinged     bool     // Ping's result, when ping
}

// evt describes an event the way the steps list them.
func evt(e profile.Event) string {
	s := fmt.Sprintf("kind %d", e.Kind)
	if e.Code != 0 {
		s += fmt.Sprintf(" code %d", e.Code)
	}
	if len(e.Reason) > 0 {
		s += fmt.Sprintf(" reason %q", e.Reason)
	}
	if e.Reconnect != 0 {
		s += fmt.Sprintf(" reconnect %d", e.Reconnect)
	}
	if e.HeartbeatTimeout != 0 {
		s += fmt.Sprintf(" timeout %v", e.HeartbeatTimeout)
	}
	if e.Rule != "" {
		s += fmt.Sprintf(" rule %q", e.Rule)
	}
	return s
}

// play runs steps against p on one connection and state, failing at the
// first step whose outcome differs.
func play(t *testing.T, p profile.Profile, v template.Vars, steps []step) *profile.State {
	t.Helper()
	c := &profiletest.Conn{V: v}
	st := &profile.State{}
	for i, s := range steps {
		c.Reset()
		var what string
		switch {
		case s.open:
			what = "open"
			p.Open(c, st)
		case s.ping:
			what = "ping"
			if got := p.Ping(c, st); got != s.pinged {
				t.Errorf("step %d (ping): Ping = %v, want %v", i, got, s.pinged)
			}
		default:
			what = "recv " + s.recv
			op := s.op
			if op == 0 {
				op = ws.OpText
			}
			p.Receive(c, st, op, []byte(s.recv))
		}
		var got []string
		for _, e := range c.Events {
			got = append(got, evt(e))
		}
		var data []string
		for _, d := range c.Datums {
			data = append(data, d.Payload)
		}
		if !equal(c.Payloads(), s.sent) || !equal(data, s.data) || !equal(got, s.events) {
			t.Fatalf("step %d (%s):\n got sent %q\n     data %q\n     events %q\nwant sent %q\n     data %q\n     events %q",
				i, what, c.Payloads(), data, got, s.sent, s.data, s.events)
		}
		if s.kinds != nil {
			for j, k := range s.kinds {
				if c.Sent[j].Kind != k {
					t.Errorf("step %d (%s): sent[%d] as traffic %d, want %d", i, what, j, c.Sent[j].Kind, k)
				}
			}
		}
		for j, m := range c.Sent {
			if m.Op != ws.OpText {
				t.Errorf("step %d (%s): sent[%d] with opcode %v, want text", i, what, j, m.Op)
			}
		}
	}
	return st
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// kind is an event of kind k alone.
func kind(k profile.EventKind) string { return evt(profile.Event{Kind: k}) }

// rule is a Malformed event breaking r.
func rule(r string) string { return evt(profile.Event{Kind: profile.Malformed, Rule: r}) }

// reason is an event of kind k with reason r.
func reason(k profile.EventKind, r string) string {
	return evt(profile.Event{Kind: k, Reason: []byte(r)})
}

// strs is shorthand for a want list.
func strs(s ...string) []string { return s }
