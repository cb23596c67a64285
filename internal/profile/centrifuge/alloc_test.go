package centrifuge

import (
	"testing"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
)

// ready returns a profile (with --resume, so that publications move the
// kept position too), a quiet connection and a state that is ready.
func ready(t testing.TB) (*Profile, *profiletest.Quiet, *profile.State) {
	p := mustNew(t, config(t, func(c *profile.Config) { c.Resume = true; c.Auth = tmpl(t, "tok-{{client}}") }))
	q := profiletest.NewQuiet(512)
	st := &profile.State{}
	p.Open(q, st)
	p.Receive(q, st, ws.OpText, []byte(connectReply+"\n"+subscribeReply))
	if !st.Ready || len(st.Resume) == 0 {
		t.Fatal("not ready")
	}
	return p, q, st
}

// Messages of a ready connection: copies are made before each Receive,
// which may modify them; the copies' memory is allocated up front.
var (
	pingMsg = []byte(`{}`)
	dataMsg = []byte(`{"push":{"channel":"ticks","pub":{"data":{"seq":123456,"t":1700000000000},"offset":123456}}}`)
)

// TestAllocs: a heartbeat round (the server's ping and its answer), a
// publication, a batch of them and a reconnect's join do not allocate.
func TestAllocs(t *testing.T) {
	p, q, st := ready(t)
	batch := append(append(append([]byte(nil), dataMsg...), '\n'), dataMsg...)
	buf := make([]byte, 0, 1024)
	for _, tc := range []struct {
		name string
		fn   func()
	}{
		{"server ping", func() { p.Receive(q, st, ws.OpText, append(buf[:0], pingMsg...)) }},
		{"publication", func() { p.Receive(q, st, ws.OpText, append(buf[:0], dataMsg...)) }},
		{"two publications", func() { p.Receive(q, st, ws.OpText, append(buf[:0], batch...)) }},
		{"open with recovery", func() { p.Open(q, st) }},
	} {
		if n := testing.AllocsPerRun(200, tc.fn); n != 0 {
			t.Errorf("%s: %v allocations", tc.name, n)
		}
	}
	if q.Datas == 0 || q.LastSeq != 123456 || q.Sends == 0 {
		t.Errorf("data %d, last seq %d, sends %d", q.Datas, q.LastSeq, q.Sends)
	}
}

func BenchmarkHeartbeat(b *testing.B) {
	p, q, st := ready(b)
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		p.Receive(q, st, ws.OpText, append(buf[:0], pingMsg...))
	}
}

func BenchmarkData(b *testing.B) {
	p, q, st := ready(b)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	b.SetBytes(int64(len(dataMsg)))
	for b.Loop() {
		p.Receive(q, st, ws.OpText, append(buf[:0], dataMsg...))
	}
}

func BenchmarkOpen(b *testing.B) {
	p, q, st := ready(b)
	b.ReportAllocs()
	for b.Loop() {
		p.Open(q, st)
	}
}
