package jsonpath

import (
	"strings"
	"testing"
)

// pong is a typical foreign pong; big a 2 KiB message whose field comes
// last, behind nested objects, arrays and escaped strings.
var (
	pong = []byte(`{"type":"pong","time":1700000000123,"seq":"42"}`)
	big  = func() []byte {
		var b strings.Builder
		b.WriteString(`{"event":"update","data":{"items":[`)
		for i := 0; b.Len() < 2000; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"id":12345,"name":"caf\u00e9 \"quoted\"","tags":["a","b"],"v":-1.5e-3,"ok":true,"n":null}`)
		}
		b.WriteString(`]},"meta":{"seq":987654321}}`)
		return []byte(b.String())
	}()
)

// TestAllocs: the lookups a loop runs per message do not allocate, long
// and escaped keys and numbers included.
func TestAllocs(t *testing.T) {
	longKey := strings.Repeat("k", 300)
	esc := []byte(`{"` + strings.Repeat(`\u006b`, 300) + `":"` + strings.Repeat(`\u0070`, 200) + `","t":` + "0.0000000000000000000000000000000000000017e40" + `}`)
	typePong, _ := CompileMatch("type=pong")
	longMatch, _ := CompileMatch(longKey + "=" + strings.Repeat("p", 200))
	seq, metaSeq, tm, lk, tt := mustCompile(t, "seq"), mustCompile(t, "meta.seq"), mustCompile(t, "time"), mustCompile(t, longKey), mustCompile(t, "t")
	nope := mustCompile(t, "nope")
	dst := make([]byte, 0, 512)
	tests := []struct {
		name string
		fn   func() bool
	}{
		{"Matches pong", func() bool { return typePong.Matches(pong) }},
		{"Int quoted", func() bool { _, ok := Int(pong, seq); return ok }},
		{"Int nested at end of 2 KiB", func() bool { _, ok := Int(big, metaSeq); return ok }},
		{"Number", func() bool { _, ok := Number(pong, tm); return ok }},
		{"Lookup escaped long key", func() bool { _, _, ok := Lookup(esc, lk); return ok }},
		{"Matches escaped long value", func() bool { return longMatch.Matches(esc) }},
		{"Number long literal", func() bool { v, ok := Number(esc, tt); return ok && v == 17 }},
		{"AppendString", func() bool {
			raw, _, ok := Lookup(esc, lk)
			dst = AppendString(dst[:0], raw)
			return ok && len(dst) == 200
		}},
		{"Lookup absent in 2 KiB", func() bool { _, _, ok := Lookup(big, nope); return !ok }},
	}
	for _, tc := range tests {
		if !tc.fn() {
			t.Fatalf("%s: wrong result", tc.name)
		}
		if n := testing.AllocsPerRun(100, func() { tc.fn() }); n != 0 {
			t.Errorf("%s: %v allocations", tc.name, n)
		}
	}
}

func BenchmarkMatchPong(b *testing.B) {
	m, _ := CompileMatch("type=pong")
	b.ReportAllocs()
	b.SetBytes(int64(len(pong)))
	for b.Loop() {
		if !m.Matches(pong) {
			b.Fatal("no match")
		}
	}
}

func BenchmarkIntPong(b *testing.B) {
	p := mustCompile(b, "time")
	b.ReportAllocs()
	b.SetBytes(int64(len(pong)))
	for b.Loop() {
		if _, ok := Int(pong, p); !ok {
			b.Fatal("not found")
		}
	}
}

func BenchmarkNumberPong(b *testing.B) {
	p := mustCompile(b, "time")
	b.ReportAllocs()
	b.SetBytes(int64(len(pong)))
	for b.Loop() {
		if _, ok := Number(pong, p); !ok {
			b.Fatal("not found")
		}
	}
}

func BenchmarkInt2KiBAtEnd(b *testing.B) {
	p := mustCompile(b, "meta.seq")
	b.ReportAllocs()
	b.SetBytes(int64(len(big)))
	for b.Loop() {
		if v, ok := Int(big, p); !ok || v != 987654321 {
			b.Fatal("not found")
		}
	}
}

func BenchmarkMatch2KiBMiss(b *testing.B) {
	m, _ := CompileMatch("type=pong")
	b.ReportAllocs()
	b.SetBytes(int64(len(big)))
	for b.Loop() {
		if m.Matches(big) {
			b.Fatal("matched")
		}
	}
}
