package graphqlws

import (
	"testing"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
	"github.com/stormbench/stormbench/internal/template"
)

var (
	benchNext      = []byte(`{"id":"` + id7 + `","type":"next","payload":{"data":{"ticks":{"seq":1234567}}}}`)
	benchPong      = []byte(`{"type":"pong"}`)
	benchPing      = []byte(`{"type":"ping"}`)
	benchAck       = []byte(ack)
	benchErrorMsg  = []byte(`{"id":"` + id7 + `","type":"error","payload":[{"message":"Cannot query field \"nope\"."}]}`)
	benchAuth      = `{"token":"t{{client}}"}`
	benchJoinQuery = "subscription { ticks(room: \"a\") { seq } }"
)

// readyConn returns the profile, a Quiet conn of client 7 and a state
// past the join.
func readyConn(t testing.TB) (profile.Profile, *profiletest.Quiet, *profile.State) {
	p := newProfile(t, benchJoinQuery, benchAuth)
	q := profiletest.NewQuiet(512)
	q.V = template.Vars{Client: 7}
	st := &profile.State{}
	p.Open(q, st)
	p.Receive(q, st, ws.OpText, benchAck)
	if !st.Ready {
		t.Fatal("not ready after the ack")
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
		{"data message", profile.Other, func() { p.Receive(q, st, ws.OpText, benchNext) }},
		{"heartbeat round (client ping, server pong)", profile.Pong, func() {
			p.Ping(q, st)
			p.Receive(q, st, ws.OpText, benchPong)
		}},
		{"server ping answered", profile.ServerPing, func() { p.Receive(q, st, ws.OpText, benchPing) }},
		{"join (open, ack, subscribe)", profile.Ready, func() {
			p.Open(q, st)
			p.Receive(q, st, ws.OpText, benchAck)
		}},
		{"refusal with an escaped reason", profile.Refused, func() {
			st.Step = stepSubscribed
			p.Receive(q, st, ws.OpText, benchErrorMsg)
		}},
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
	b.SetBytes(int64(len(benchNext)))
	for b.Loop() {
		p.Receive(q, st, ws.OpText, benchNext)
	}
	if q.Datas < b.N {
		b.Fatalf("%d data for %d messages", q.Datas, b.N)
	}
}

func BenchmarkHeartbeat(b *testing.B) {
	p, q, st := readyConn(b)
	b.ReportAllocs()
	for b.Loop() {
		p.Ping(q, st)
		p.Receive(q, st, ws.OpText, benchPong)
	}
	if q.LastKind != profile.Pong {
		b.Fatalf("last event %d, want Pong", q.LastKind)
	}
}

func BenchmarkServerPing(b *testing.B) {
	p, q, st := readyConn(b)
	b.ReportAllocs()
	for b.Loop() {
		p.Receive(q, st, ws.OpText, benchPing)
	}
}

func BenchmarkJoin(b *testing.B) {
	p, q, st := readyConn(b)
	b.ReportAllocs()
	for b.Loop() {
		p.Open(q, st)
		p.Receive(q, st, ws.OpText, benchAck)
	}
}
