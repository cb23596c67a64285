// Package profiletest helps test profiles: a Conn that records what a
// profile sent and reported, and a way to play a transcript of server
// messages against a profile.
package profiletest

import (
	"fmt"
	"strings"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/template"
)

// Sent is one message a profile sent.
type Sent struct {
	Kind    profile.Traffic
	Op      ws.OpCode
	Payload string
}

// Datum is one data message a profile reported.
type Datum struct {
	Payload string
	Seq     int64
	HasSeq  bool
}

// Conn records everything a profile does through it. Its zero value is
// client 0; set V for another.
type Conn struct {
	V      template.Vars
	Sent   []Sent
	Datums []Datum
	Events []profile.Event
	buf    []byte
}

var _ profile.Conn = (*Conn)(nil)

// Vars implements profile.Conn.
func (c *Conn) Vars() template.Vars { return c.V }

// Buffer implements profile.Conn.
func (c *Conn) Buffer() []byte { return c.buf[:0] }

// Send implements profile.Conn: it keeps a copy.
func (c *Conn) Send(kind profile.Traffic, op ws.OpCode, payload []byte) {
	c.Sent = append(c.Sent, Sent{kind, op, string(payload)})
	c.buf = payload[:0]
}

// Data implements profile.Conn: it keeps a copy.
func (c *Conn) Data(payload []byte, seq int64, hasSeq bool) {
	c.Datums = append(c.Datums, Datum{string(payload), seq, hasSeq})
}

// Event implements profile.Conn: it keeps a copy (Reason copied).
func (c *Conn) Event(e profile.Event) {
	e.Reason = append([]byte(nil), e.Reason...)
	c.Events = append(c.Events, e)
}

// Reset forgets what was recorded.
func (c *Conn) Reset() { c.Sent, c.Datums, c.Events = nil, nil, nil }

// Kinds returns the kinds of the recorded events.
func (c *Conn) Kinds() []profile.EventKind {
	out := make([]profile.EventKind, len(c.Events))
	for i, e := range c.Events {
		out[i] = e.Kind
	}
	return out
}

// Count returns how many of the recorded events are of kind k.
func (c *Conn) Count(k profile.EventKind) int { return countKind(c.Events, k) }

// countKind counts the events of kind k.
func countKind(events []profile.Event, k profile.EventKind) int {
	n := 0
	for _, e := range events {
		if e.Kind == k {
			n++
		}
	}
	return n
}

// Payloads returns the payloads sent, in order.
func (c *Conn) Payloads() []string {
	out := make([]string, len(c.Sent))
	for i, s := range c.Sent {
		out[i] = s.Payload
	}
	return out
}

// String describes what was recorded, for test failures.
func (c Conn) String() string {
	var b strings.Builder
	for _, s := range c.Sent {
		fmt.Fprintf(&b, "sent %d %q\n", s.Kind, s.Payload)
	}
	for _, d := range c.Datums {
		fmt.Fprintf(&b, "data %q seq %d/%v\n", d.Payload, d.Seq, d.HasSeq)
	}
	for _, e := range c.Events {
		fmt.Fprintf(&b, "event %d code %d reason %q reconnect %d timeout %v rule %q\n", e.Kind, e.Code, e.Reason, e.Reconnect, e.HeartbeatTimeout, e.Rule)
	}
	return b.String()
}

// Quiet is a Conn that records nothing and never allocates, for
// allocation tests and benchmarks; it counts what happened.
type Quiet struct {
	V                 template.Vars
	Sends, Datas, Evs int
	LastKind          profile.EventKind
	LastSeq           int64
	buf               []byte
}

var _ profile.Conn = (*Quiet)(nil)

// NewQuiet returns a Quiet with a scratch buffer of n bytes.
func NewQuiet(n int) *Quiet { return &Quiet{buf: make([]byte, 0, n)} }

// Vars implements profile.Conn.
func (q *Quiet) Vars() template.Vars { return q.V }

// Buffer implements profile.Conn.
func (q *Quiet) Buffer() []byte { return q.buf[:0] }

// Send implements profile.Conn.
func (q *Quiet) Send(_ profile.Traffic, _ ws.OpCode, payload []byte) {
	q.Sends++
	q.buf = payload[:0]
}

// Data implements profile.Conn.
func (q *Quiet) Data(_ []byte, seq int64, _ bool) { q.Datas++; q.LastSeq = seq }

// Event implements profile.Conn.
func (q *Quiet) Event(e profile.Event) { q.Evs++; q.LastKind = e.Kind }
