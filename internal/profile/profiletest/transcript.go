package profiletest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/template"
)

// Step is one moment of a transcript: the client opens, pings, or
// receives a server message (Recv, a text message unless Op says
// otherwise); then it must have sent exactly Sent (payloads, all text
// messages), reported exactly Data as data payloads and Events as events
// (each as Describe writes it).
type Step struct {
	Open, Ping bool
	Recv       string
	Op         ws.OpCode
	Sent       []string
	// Kinds, when not nil, are the traffic kinds of Sent.
	Kinds  []profile.Traffic
	Data   []string
	Events []string
	// Pinged is Ping's result, for a Ping step.
	Pinged bool
}

// Describe writes an event as a transcript lists it: its kind and the
// fields that are set.
func Describe(e profile.Event) string {
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

// Kind describes an event of kind k alone.
func Kind(k profile.EventKind) string { return Describe(profile.Event{Kind: k}) }

// Malformed describes a Malformed event breaking rule.
func Malformed(rule string) string {
	return Describe(profile.Event{Kind: profile.Malformed, Rule: rule})
}

// Play plays steps against p on one connection of client v and returns
// its state; it stops the test at the first step whose outcome differs.
func Play(t testing.TB, p profile.Profile, v template.Vars, steps []Step) *profile.State {
	t.Helper()
	c := &Conn{V: v}
	st := &profile.State{}
	for i, s := range steps {
		c.Reset()
		var what string
		switch {
		case s.Open:
			what = "open"
			p.Open(c, st)
		case s.Ping:
			what = "ping"
			if got := p.Ping(c, st); got != s.Pinged {
				t.Errorf("step %d (ping): Ping = %v, want %v", i, got, s.Pinged)
			}
		default:
			what = "recv " + s.Recv
			op := s.Op
			if op == 0 {
				op = ws.OpText
			}
			p.Receive(c, st, op, []byte(s.Recv))
		}
		var events, data []string
		for _, e := range c.Events {
			events = append(events, Describe(e))
		}
		for _, d := range c.Datums {
			data = append(data, d.Payload)
		}
		if !slices.Equal(c.Payloads(), s.Sent) || !slices.Equal(data, s.Data) || !slices.Equal(events, s.Events) {
			t.Fatalf("step %d (%s):\n got sent %q\n     data %q\n     events %q\nwant sent %q\n     data %q\n     events %q",
				i, what, c.Payloads(), data, events, s.Sent, s.Data, s.Events)
		}
		for j, k := range s.Kinds {
			if j < len(c.Sent) && c.Sent[j].Kind != k {
				t.Errorf("step %d (%s): sent[%d] as traffic %d, want %d", i, what, j, c.Sent[j].Kind, k)
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
