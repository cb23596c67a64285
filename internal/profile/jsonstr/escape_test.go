package jsonstr

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// stringify is what JSON.stringify writes between the quotes for s, from
// encoding/json with its HTML escaping off and U+2028/U+2029 put back
// (encoding/json escapes them; JSON.stringify does not).
func stringify(t testing.TB, s string) string {
	t.Helper()
	out, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	// json.Marshal escapes <, >, & and U+2028/9: undo those, which
	// JSON.stringify leaves as they are.
	var b []byte
	for i := 1; i < len(out)-1; i++ {
		if out[i] == '\\' && out[i+1] == 'u' {
			switch string(out[i+2 : i+6]) {
			case "003c":
				b = append(b, '<')
			case "003e":
				b = append(b, '>')
			case "0026":
				b = append(b, '&')
			case "2028":
				b = append(b, "\u2028"...)
			case "2029":
				b = append(b, "\u2029"...)
			default:
				b = append(b, out[i:i+6]...)
			}
			i += 5
			continue
		}
		if out[i] == '\\' {
			b = append(b, out[i], out[i+1])
			i++
			continue
		}
		b = append(b, out[i])
	}
	return string(b)
}

func TestEscape(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"subscription { ticks { seq } }", "subscription { ticks { seq } }"},
		{`{"channel":"TicksChannel"}`, `{\"channel\":\"TicksChannel\"}`},
		{"a\\b", `a\\b`},
		{"line\nbreak\ttab\r\b\f", `line\nbreak\ttab\r\b\f`},
		{"\x00\x01\x1f\x7f", `\u0000\u0001\u001f` + "\x7f"},
		{"<&> é \u2028", "<&> é \u2028"},
	} {
		if got := string(Append(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("Append(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := Len([]byte(tt.in)); got != len(tt.want) {
			t.Errorf("Len(%q) = %d, want %d", tt.in, got, len(tt.want))
		}
		if got := stringify(t, tt.in); got != tt.want {
			t.Errorf("test oracle disagrees on %q: %q, want %q", tt.in, got, tt.want)
		}
		for _, room := range []int{0, 64} {
			b := append(make([]byte, 0, len("pre")+len(tt.in)+room), "pre"...)
			b = append(b, tt.in...)
			if got := string(EscapeTail(b, 3)); got != "pre"+tt.want {
				t.Errorf("EscapeTail(pre+%q, room %d) = %q, want %q", tt.in, room, got, "pre"+tt.want)
			}
		}
	}
}

func TestEscapeTailBadStart(t *testing.T) {
	b := []byte(`a"b`)
	for _, start := range []int{-1, 4} {
		if got := string(EscapeTail(b, start)); got != `a"b` {
			t.Errorf("EscapeTail(start %d) = %q, want it unchanged", start, got)
		}
	}
}

func TestEscapeTailAllocs(t *testing.T) {
	in := []byte("subscription { ticks(room: \"a\\b\") {\n seq } }")
	buf := make([]byte, 0, 256)
	if n := testing.AllocsPerRun(100, func() {
		b := append(buf[:0], `{"query":"`...)
		b = append(b, in...)
		b = EscapeTail(b, len(`{"query":"`))
		_ = append(b, `"}`...)
	}); n != 0 {
		t.Errorf("EscapeTail with room: %v allocs, want 0", n)
	}
}

// FuzzEscape: whatever the text, the escaped form inside quotes is a JSON
// string that decodes to the text (for UTF-8 text), equals what
// JSON.stringify writes, and EscapeTail agrees with Append.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "x", `"\`, "\x00\n", "é\u2028", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		esc := Append(nil, []byte(s))
		if len(esc) != Len([]byte(s)) {
			t.Fatalf("Len %d, Append wrote %d", Len([]byte(s)), len(esc))
		}
		tail := EscapeTail(append([]byte("ab"), s...), 2)
		if string(tail) != "ab"+string(esc) {
			t.Fatalf("EscapeTail %q, Append %q", tail, esc)
		}
		if !utf8.ValidString(s) {
			return
		}
		var back string
		if err := json.Unmarshal([]byte(`"`+string(esc)+`"`), &back); err != nil {
			t.Fatalf("%q escaped as %q: not a JSON string: %v", s, esc, err)
		}
		if back != s {
			t.Fatalf("%q escaped as %q decodes to %q", s, esc, back)
		}
		if want := stringify(t, s); string(esc) != want {
			t.Fatalf("%q escaped as %q, JSON.stringify writes %q", s, esc, want)
		}
	})
}
