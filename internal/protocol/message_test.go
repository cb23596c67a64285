package protocol

import (
	"encoding/json"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Message
		err  bool
	}{
		{"ping", `{"type":"ping","t":123}`, Message{Kind: KindPing, T: 123, HasT: true}, false},
		{"pong spaces", ` { "type" : "pong" , "t" : -5 } `, Message{Kind: KindPong, T: -5, HasT: true}, false},
		{"msg reordered", `{"seq":42,"type":"msg"}`, Message{Kind: KindMsg, Seq: 42, HasSeq: true}, false},
		{"hello", `{"type":"hello","seq":0}`, Message{Kind: KindHello, HasSeq: true}, false},
		{"unknown type and key", `{"type":"news","x":"y","seq":7}`, Message{Kind: KindUnknown, Seq: 7, HasSeq: true}, false},
		{"empty object", `{}`, Message{}, false},
		{"foreign pong", `{"type":"pong","time":1732230000123}`, Message{Kind: KindPong}, false},
		{"escaped string", `{"note":"a\"b","type":"msg","seq":1}`, Message{Kind: KindMsg, Seq: 1, HasSeq: true}, false},
		{"not object", `[1]`, Message{}, true},
		{"truncated", `{"type":"ping","t":1`, Message{Kind: KindPing, T: 1}, true},
		{"trailing garbage", `{"type":"ping"}x`, Message{Kind: KindPing}, true},
		{"overflow", `{"t":99999999999999999999}`, Message{}, true},
		{"float", `{"t":1.5}`, Message{T: 1}, true},
		{"empty", ``, Message{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in))
			if (err != nil) != tt.err {
				t.Fatalf("Parse(%q) error = %v, want error %v", tt.in, err, tt.err)
			}
			if !tt.err && got != tt.want {
				t.Fatalf("Parse(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestAppendRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		want Message
	}{
		{"ping", AppendPing(nil, 1732230000123456789), Message{Kind: KindPing, T: 1732230000123456789, HasT: true}},
		{"pong", AppendPong(nil, -1), Message{Kind: KindPong, T: -1, HasT: true}},
		{"msg", AppendMsg(nil, 99), Message{Kind: KindMsg, Seq: 99, HasSeq: true}},
		{"hello", AppendHello(nil, 5), Message{Kind: KindHello, Seq: 5, HasSeq: true}},
		{"send", AppendSend(nil, 7, 42, 123, 0), Message{Kind: KindSend, Client: 7, ID: 42, HasID: true, T: 123, HasT: true}},
		{"send padded", AppendSend(nil, 7, 42, 123, 100), Message{Kind: KindSend, Client: 7, ID: 42, HasID: true, T: 123, HasT: true}},
		{"ack", AppendAck(nil, 42, false), Message{Kind: KindAck, ID: 42, HasID: true}},
		{"ack dup", AppendAck(nil, 42, true), Message{Kind: KindAck, ID: 42, HasID: true, Dup: true}},
		{"direct", AppendDirect(nil, 3, 99), Message{Kind: KindDirect, ID: 3, HasID: true, T: 99, HasT: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !json.Valid(tt.b) {
				t.Fatalf("%s is not valid JSON", tt.b)
			}
			got, err := Parse(tt.b)
			if err != nil || got != tt.want {
				t.Fatalf("Parse(%s) = %+v, %v; want %+v", tt.b, got, err, tt.want)
			}
		})
	}
}

func TestSendSize(t *testing.T) {
	for _, size := range []int{0, 40, 64, 100, 1000} {
		b := AppendSend(nil, 123456, 789, 1732230000123456789, size)
		if size > 64 && len(b) != size {
			t.Errorf("size %d: %d bytes: %s", size, len(b), b)
		}
	}
}

func TestParseAllocs(t *testing.T) {
	b := []byte(`{"type":"msg","seq":12345}`)
	if n := testing.AllocsPerRun(100, func() { _, _ = Parse(b) }); n != 0 {
		t.Fatalf("Parse allocates %v times per call", n)
	}
	buf := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() { buf = AppendMsg(buf[:0], 12345) }); n != 0 {
		t.Fatalf("AppendMsg allocates %v times per call", n)
	}
}

// FuzzParse checks that Parse never panics and that whatever it accepts as
// a known kind is also valid JSON with the same fields.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"type":"ping","t":1}`, `{"seq":2,"type":"msg"}`, `{}`, `{"a":"\"","t":-3}`, `{"t":1,}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			return
		}
		var v map[string]any
		if jerr := json.Unmarshal(b, &v); jerr != nil {
			t.Fatalf("Parse accepted %q, which is not JSON: %v", b, jerr)
		}
		if m.Kind != KindUnknown && v["type"] != m.Kind.String() {
			t.Fatalf("Parse(%q) kind %v, JSON says %v", b, m.Kind, v["type"])
		}
	})
}

func BenchmarkParse(b *testing.B) {
	in := []byte(`{"type":"msg","seq":123456789}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(in); err != nil {
			b.Fatal(err)
		}
	}
}
