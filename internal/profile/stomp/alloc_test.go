package stomp

import (
	"testing"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
)

// ready returns a connection of p that is ready, and a Quiet Conn.
func ready(t testing.TB, p *Profile) (*profiletest.Quiet, *profile.State) {
	q := profiletest.NewQuiet(256)
	st := &profile.State{}
	p.Open(q, st)
	p.Receive(q, st, ws.OpText, []byte(connected))
	p.Receive(q, st, ws.OpText, []byte(receipt0))
	if !st.Ready {
		t.Fatalf("not ready (last event %d)", q.LastKind)
	}
	return q, st
}

// hot is what a ready connection does all day: a heart-beat each way, a
// MESSAGE as RabbitMQ sends it, one without content-length, one split
// across two messages, and several in one message.
var hot = []struct {
	name string
	msgs []string
}{
	{"heartbeat", []string{"\n"}},
	{"message", []string{message}},
	{"message-no-length", []string{"MESSAGE\nsubscription:sub-0\ndestination:/topic/ticks\n\n{\"seq\":5}\x00\n"}},
	{"message-split", []string{message[:100], message[100:]}},
	{"batch", []string{message + message + "\n"}},
}

// once is one round of h on a ready connection.
func once(p *Profile, q *profiletest.Quiet, st *profile.State, name string, msgs [][]byte) {
	if name == "heartbeat" {
		p.Ping(q, st)
	}
	for _, m := range msgs {
		p.Receive(q, st, ws.OpText, m)
	}
}

func bytesOf(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

// TestReadyAllocs: once ready, a connection allocates nothing per message.
func TestReadyAllocs(t *testing.T) {
	p := mustNew(t, config(t, nil))
	q, st := ready(t, p)
	for _, h := range hot {
		msgs := bytesOf(h.msgs)
		datas, evs := q.Datas, q.Evs
		allocs := testing.AllocsPerRun(100, func() { once(p, q, st, h.name, msgs) })
		if allocs != 0 {
			t.Errorf("%s: %v allocations", h.name, allocs)
		}
		if st.Step&stepMask != stepReady || q.Datas == datas && q.Evs == evs {
			t.Fatalf("%s: nothing reported or the connection failed (event %d)", h.name, q.LastKind)
		}
	}
}

// TestOpenAllocs: a connection attempt's CONNECT, and the SUBSCRIBE after
// CONNECTED, allocate nothing.
func TestOpenAllocs(t *testing.T) {
	p := mustNew(t, config(t, func(c *profile.Config) { c.Auth = tmpl(t, "user-{{client}}:secret") }))
	q := profiletest.NewQuiet(256)
	st := &profile.State{}
	msg := []byte(connected)
	allocs := testing.AllocsPerRun(100, func() {
		q.V.Client++
		p.Open(q, st)
		p.Receive(q, st, ws.OpText, msg)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per attempt", allocs)
	}
	if st.Step&stepMask != stepSubscribe {
		t.Errorf("no SUBSCRIBE (event %d)", q.LastKind)
	}
}

func BenchmarkReceive(b *testing.B) {
	for _, h := range hot {
		b.Run(h.name, func(b *testing.B) {
			p := mustNew(b, config(b, nil))
			q, st := ready(b, p)
			msgs := bytesOf(h.msgs)
			b.ReportAllocs()
			for b.Loop() {
				once(p, q, st, h.name, msgs)
			}
			if st.Step&stepMask != stepReady {
				b.Fatalf("the connection failed (event %d)", q.LastKind)
			}
		})
	}
}

// BenchmarkOpen is one connection attempt's CONNECT.
func BenchmarkOpen(b *testing.B) {
	p := mustNew(b, config(b, func(c *profile.Config) { c.Auth = tmpl(b, "user-{{client}}:secret") }))
	q := profiletest.NewQuiet(256)
	st := &profile.State{}
	b.ReportAllocs()
	for b.Loop() {
		q.V.Client++
		p.Open(q, st)
	}
}
