package signalr

import (
	"testing"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
)

// ready returns a profile, a quiet connection and a state that is ready.
func ready(t testing.TB) (*Profile, *profiletest.Quiet, *profile.State) {
	p := mustNew(t, config(t, nil))
	q := profiletest.NewQuiet(256)
	st := &profile.State{}
	p.Open(q, st)
	p.Receive(q, st, ws.OpText, []byte(hsOK))
	if !st.Ready {
		t.Fatal("not ready")
	}
	return p, q, st
}

var (
	serverPing = []byte(pingRec)
	dataMsg    = []byte("{\"type\":1,\"target\":\"tick\",\"arguments\":[{\"seq\":123456,\"t\":1700000000000}]}\x1e")
)

// TestAllocs: a heartbeat round (the client's ping and the server's) and
// an invocation do not allocate, nor does a reconnect's handshake.
func TestAllocs(t *testing.T) {
	p, q, st := ready(t)
	buf := make([]byte, 0, 256)
	for _, tc := range []struct {
		name string
		fn   func()
	}{
		{"heartbeat round", func() {
			p.Ping(q, st)
			p.Receive(q, st, ws.OpText, append(buf[:0], serverPing...))
		}},
		{"invocation", func() { p.Receive(q, st, ws.OpText, append(buf[:0], dataMsg...)) }},
		{"handshake", func() {
			p.Open(q, st)
			p.Receive(q, st, ws.OpText, append(buf[:0], hsOK...))
		}},
	} {
		if n := testing.AllocsPerRun(200, tc.fn); n != 0 {
			t.Errorf("%s: %v allocations", tc.name, n)
		}
	}
	if q.Datas == 0 || q.LastKind != profile.Ready {
		t.Errorf("data %d, last event %v", q.Datas, q.LastKind)
	}
}

func BenchmarkHeartbeat(b *testing.B) {
	p, q, st := ready(b)
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		p.Ping(q, st)
		p.Receive(q, st, ws.OpText, append(buf[:0], serverPing...))
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
