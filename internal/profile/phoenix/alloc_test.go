package phoenix

import (
	"testing"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
)

// ready returns a profile, a quiet connection and a state that is ready.
func ready(t testing.TB) (*Profile, *profiletest.Quiet, *profile.State) {
	p := mustNew(t, config(t, func(c *profile.Config) { c.Auth = tmpl(t, `{"token":"t-{{client}}"}`) }))
	q := profiletest.NewQuiet(512)
	st := &profile.State{}
	p.Open(q, st)
	p.Receive(q, st, ws.OpText, []byte(joinOK))
	if !st.Ready {
		t.Fatal("not ready")
	}
	return p, q, st
}

var (
	dataMsg   = []byte(`[null,null,"room:lobby","tick",{"seq":123456,"t":1700000000000}]`)
	binaryMsg = []byte("\x02\x0a\x04room:lobbytick{\"seq\":1}")
	// replyMsg answers the heartbeat Ping sends next (ref 2).
	replyMsg = []byte(`[null,"2","phoenix","phx_reply",{"status":"ok","response":{}}]`)
)

// TestAllocs: a heartbeat round (Ping and its reply), a broadcast (text
// and binary) and a rejoin do not allocate.
func TestAllocs(t *testing.T) {
	p, q, st := ready(t)
	buf := make([]byte, 0, 256)
	for _, tc := range []struct {
		name string
		fn   func()
	}{
		{"heartbeat round", func() {
			st.Ref = joinRef
			p.Ping(q, st)
			p.Receive(q, st, ws.OpText, append(buf[:0], replyMsg...))
		}},
		{"broadcast", func() { p.Receive(q, st, ws.OpText, append(buf[:0], dataMsg...)) }},
		{"binary broadcast", func() { p.Receive(q, st, ws.OpBinary, append(buf[:0], binaryMsg...)) }},
		{"rejoin", func() { p.Open(q, st) }},
	} {
		before := q.Evs
		if n := testing.AllocsPerRun(200, tc.fn); n != 0 {
			t.Errorf("%s: %v allocations", tc.name, n)
		}
		if tc.name == "heartbeat round" && (q.Evs == before || q.LastKind != profile.Pong) {
			t.Errorf("heartbeat round: last event %v, want pong", q.LastKind)
		}
	}
	if q.Datas == 0 {
		t.Error("no data reported")
	}
}

func BenchmarkHeartbeat(b *testing.B) {
	p, q, st := ready(b)
	buf := make([]byte, 0, 128)
	b.ReportAllocs()
	for b.Loop() {
		st.Ref = joinRef
		p.Ping(q, st)
		p.Receive(q, st, ws.OpText, append(buf[:0], replyMsg...))
	}
}

func BenchmarkData(b *testing.B) {
	p, q, st := ready(b)
	buf := make([]byte, 0, 128)
	b.ReportAllocs()
	b.SetBytes(int64(len(dataMsg)))
	for b.Loop() {
		p.Receive(q, st, ws.OpText, append(buf[:0], dataMsg...))
	}
}
