package actioncable

import (
	"testing"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
	"github.com/stormbench/stormbench/internal/template"
)

var (
	benchBroadcast = []byte(`{"identifier":"{\"channel\":\"TicksChannel\"}","message":{"seq":1234567}}`)
	benchPing      = []byte(ping)
	benchWelcome   = []byte(welcome)
	benchConfirm   = []byte(confirm)
	benchGoodbye   = []byte(`{"type":"disconnect","reason":"server_\u0072estart","reconnect":true}`)
)

// readyConn returns the profile, a Quiet conn of client 7 and a state
// past the join.
func readyConn(t testing.TB) (profile.Profile, *profiletest.Quiet, *profile.State) {
	p := newProfile(t, `{"channel":"TicksChannel","room":"r{{client}}"}`)
	q := profiletest.NewQuiet(512)
	q.V = template.Vars{Client: 7}
	st := &profile.State{}
	p.Open(q, st)
	p.Receive(q, st, ws.OpText, benchWelcome)
	p.Receive(q, st, ws.OpText, benchConfirm)
	if !st.Ready {
		t.Fatal("not ready after the confirmation")
	}
	return p, q, st
}

func TestAllocs(t *testing.T) {
	p, q, st := readyConn(t)
	for _, tt := range []struct {
		name string
		want profile.EventKind // the last event
		f    func()
	}{
		{"data message", profile.Other, func() { p.Receive(q, st, ws.OpText, benchBroadcast) }},
		{"heartbeat (server ping)", profile.ServerPing, func() { p.Receive(q, st, ws.OpText, benchPing) }},
		{"join (open, welcome, subscribe, confirm)", profile.Ready, func() {
			p.Open(q, st)
			p.Receive(q, st, ws.OpText, benchWelcome)
			p.Receive(q, st, ws.OpText, benchConfirm)
		}},
		{"goodbye with an escaped reason", profile.Goodbye, func() { p.Receive(q, st, ws.OpText, benchGoodbye) }},
	} {
		q.LastKind = profile.Other
		datas := q.Datas
		if n := testing.AllocsPerRun(200, tt.f); n != 0 {
			t.Errorf("%s: %v allocs per run, want 0", tt.name, n)
		}
		if q.LastKind != tt.want {
			t.Errorf("%s: last event %d, want %d", tt.name, q.LastKind, tt.want)
		}
		if tt.name == "data message" && q.Datas == datas {
			t.Errorf("%s: no data reported", tt.name)
		}
	}
}

func BenchmarkData(b *testing.B) {
	p, q, st := readyConn(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(benchBroadcast)))
	for b.Loop() {
		p.Receive(q, st, ws.OpText, benchBroadcast)
	}
	if q.Datas < b.N {
		b.Fatalf("%d data for %d messages", q.Datas, b.N)
	}
}

// BenchmarkHeartbeat is one heartbeat round: the server's ping, which the
// client does not answer.
func BenchmarkHeartbeat(b *testing.B) {
	p, q, st := readyConn(b)
	b.ReportAllocs()
	for b.Loop() {
		p.Receive(q, st, ws.OpText, benchPing)
	}
	if q.LastKind != profile.ServerPing {
		b.Fatalf("last event %d, want ServerPing", q.LastKind)
	}
}

func BenchmarkJoin(b *testing.B) {
	p, q, st := readyConn(b)
	b.ReportAllocs()
	for b.Loop() {
		p.Open(q, st)
		p.Receive(q, st, ws.OpText, benchWelcome)
		p.Receive(q, st, ws.OpText, benchConfirm)
	}
}
