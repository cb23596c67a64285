package handshake

import (
	"math/rand/v2"
	"testing"

	"github.com/stormbench/stormbench/internal/protocol"
)

// These run once per connection attempt on an event loop, up to thousands
// of times a second during a reconnect storm: they must not allocate.

func benchTemplate(t testing.TB) *Template {
	return mustTemplate(t, "ws://127.0.0.1:8080/ws", Options{
		Origin:  "http://127.0.0.1:8080",
		Headers: []Header{{"X-Run", "storm"}},
	})
}

var benchQuery = protocol.Query{Client: 123456, HasClient: true, Resume: 987654321, HasResume: true}

const typical101 = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
	"Sec-WebSocket-Accept: " + sampleAccept + "\r\n\r\n" + frames

const typical503 = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n" +
	"Retry-After: Sun, 01 Mar 2026 12:00:30 GMT\r\nContent-Length: 5\r\n\r\nbusy\n"

func TestHotPathsDoNotAllocate(t *testing.T) {
	tm := benchTemplate(t)
	buf := make([]byte, 0, tm.MaxSize())
	k := sampleKeyValue()
	if a := testing.AllocsPerRun(100, func() { buf = tm.AppendRequest(buf[:0], benchQuery, &k) }); a != 0 {
		t.Errorf("AppendRequest: %v allocations", a)
	}
	pcg := rand.NewPCG(1, 2)
	var acc Accept
	if a := testing.AllocsPerRun(100, func() {
		k := NewKey(pcg)
		acc = k.Accept()
	}); a != 0 {
		t.Errorf("NewKey + Accept: %v allocations", a)
	}
	_ = acc
	var exp Expect
	if a := testing.AllocsPerRun(100, func() { exp = tm.Expect(&k) }); a != 0 {
		t.Errorf("Template.Expect: %v allocations", a)
	}
	exp.Now = refNow
	in101, in503 := []byte(typical101), []byte(typical503)
	if a := testing.AllocsPerRun(100, func() {
		if _, _, err := Parse(in101, &exp); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Errorf("Parse 101: %v allocations", a)
	}
	if a := testing.AllocsPerRun(100, func() {
		if r, _, err := Parse(in503, &exp); err != ErrStatus || !r.HasRetryAfter {
			t.Fatal(r, err)
		}
	}); a != 0 {
		t.Errorf("Parse 503 with an IMF-fixdate Retry-After: %v allocations", a)
	}
	if a := testing.AllocsPerRun(100, func() {
		if _, n, err := Parse(in101[:40], &exp); n != 0 || err != nil {
			t.Fatal(n, err)
		}
	}); a != 0 {
		t.Errorf("Parse, need more: %v allocations", a)
	}
}

func BenchmarkAppendRequest(b *testing.B) {
	tm := benchTemplate(b)
	buf := make([]byte, 0, tm.MaxSize())
	k := sampleKeyValue()
	b.ReportAllocs()
	for b.Loop() {
		buf = tm.AppendRequest(buf[:0], benchQuery, &k)
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkKeyAccept(b *testing.B) {
	pcg := rand.NewPCG(1, 2)
	var acc Accept
	b.ReportAllocs()
	for b.Loop() {
		k := NewKey(pcg)
		acc = k.Accept()
	}
	_ = acc
}

func BenchmarkParse(b *testing.B) {
	k := sampleKeyValue()
	exp := Expect{Accept: k.Accept(), Now: refNow}
	for _, bc := range []struct{ name, in string }{{"101", typical101}, {"503", typical503}} {
		in := []byte(bc.in)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _, _ = Parse(in, &exp)
			}
		})
	}
}
