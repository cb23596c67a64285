package profiletest

import (
	"fmt"
	"testing"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/template"
)

// Tmpl parses a message-body template for a fleet of 10 clients, or fails
// the test.
func Tmpl(t testing.TB, s string) *template.Template {
	t.Helper()
	tm, err := template.Parse(s, template.Options{Context: template.InBody, Clients: 10})
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// JoinConfig is a transcript table's configuration: one --join, join
// (a channel, topic or hub method), changed by mod when it is not nil.
func JoinConfig(t testing.TB, join string, mod func(*profile.Config)) profile.Config {
	t.Helper()
	cfg := profile.Config{Join: []*template.Template{Tmpl(t, join)}}
	if mod != nil {
		mod(&cfg)
	}
	return cfg
}

// Move is one thing that happens on a connection in a table of the
// profiles' tests that check outcomes themselves (Step checks them as it
// goes): the client opens it or pings, or the server sends a text message
// (binary with Bin set).
type Move struct {
	Open, Ping bool
	Recv       string
	Bin        bool
}

// OpenMove, PingMove, RecvMove and RecvBinaryMove make the moves.
func OpenMove() Move               { return Move{Open: true} }
func PingMove() Move               { return Move{Ping: true} }
func RecvMove(s string) Move       { return Move{Recv: s} }
func RecvBinaryMove(s string) Move { return Move{Recv: s, Bin: true} }

// Replay plays moves through p on client 7 with st and returns what the
// profile did.
func Replay(p profile.Profile, st *profile.State, steps []Move) *Conn {
	c := &Conn{}
	c.V.Client = 7
	for _, s := range steps {
		switch {
		case s.Open:
			p.Open(c, st)
		case s.Ping:
			p.Ping(c, st)
		case s.Bin:
			p.Receive(c, st, ws.OpBinary, []byte(s.Recv))
		default:
			p.Receive(c, st, ws.OpText, []byte(s.Recv))
		}
	}
	return c
}

// Label writes an event the way the moves' tables expect it: its kind's
// name, then code, reason, reconnect advice, announced timeout and rule
// when it has them.
func Label(e profile.Event) string {
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

// EventLines describes every event c recorded.
func (c *Conn) EventLines() []string {
	out := make([]string, len(c.Events))
	for i, e := range c.Events {
		out[i] = Label(e)
	}
	return out
}

// DatumLines writes every data message c recorded: its payload, and its
// sequence number after an @ when it had one.
func (c *Conn) DatumLines() []string {
	out := make([]string, len(c.Datums))
	for i, d := range c.Datums {
		out[i] = d.Payload
		if d.HasSeq {
			out[i] += fmt.Sprintf(" @%d", d.Seq)
		}
	}
	return out
}

// SentLines writes what c sent, pings and pongs marked as such, a binary
// message marked binary.
func (c *Conn) SentLines() []string {
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
