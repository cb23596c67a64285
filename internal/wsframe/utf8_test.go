package wsframe

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"unicode/utf8"

	"github.com/gobwas/ws"
)

var utf8Cases = []struct {
	name  string
	text  string
	valid bool
}{
	{"ascii", "hello", true},
	{"two-byte", "héllo ñ", true},
	{"three-byte", "€ 中文 \uffff", true},
	{"four-byte", "😀 \U00010000 \U0010ffff", true},
	{"U+FFFD encoded", "\xef\xbf\xbd", true},
	{"empty", "", true},
	{"lone continuation", "a\x80b", false},
	{"overlong slash 2", "\xc0\xaf", false},
	{"overlong slash 3", "\xe0\x80\xaf", false},
	{"overlong slash 4", "\xf0\x80\x80\xaf", false},
	{"overlong C1", "\xc1\xbf", false},
	{"surrogate D800", "\xed\xa0\x80", false},
	{"surrogate DFFF", "\xed\xbf\xbf", false},
	{"above U+10FFFF", "\xf4\x90\x80\x80", false},
	{"F5 lead", "\xf5\x80\x80\x80", false},
	{"FF", "ab\xff", false},
	{"truncated 2", "ab\xc3", false},
	{"truncated 3", "ab\xe2\x82", false},
	{"truncated 4", "ab\xf0\x9f\x98", false},
	{"lead then ascii", "\xe2a\x82", false},
	{"too many continuations", "\xc3\xa9\xa9", false},
}

// TestUTF8Messages sends each text as one frame and as two fragments cut
// at every offset (so characters straddle frames), fed whole and byte by
// byte (so they straddle reads).
func TestUTF8Messages(t *testing.T) {
	cfg := &Config{}
	for _, tc := range utf8Cases {
		if utf8.ValidString(tc.text) != tc.valid {
			t.Fatalf("%s: case disagrees with unicode/utf8", tc.name)
		}
		streams := [][]byte{raw(true, 0, ws.OpText, []byte(tc.text), nil)}
		for i := 0; i <= len(tc.text); i++ {
			streams = append(streams, append(
				raw(false, 0, ws.OpText, []byte(tc.text[:i]), nil),
				raw(true, 0, ws.OpContinuation, []byte(tc.text[i:]), nil)...))
		}
		for _, s := range streams {
			for _, cuts := range [][]int{nil, byteCuts(len(s))} {
				got, _, err := feedChunks(cfg, s, cuts)
				if tc.valid {
					if err != nil || len(got) != 1 || got[0].payload != tc.text {
						t.Fatalf("%s %q: got %v, %v", tc.name, s, got, err)
					}
				} else if err != RuleInvalidUTF8 || len(got) != 0 {
					t.Fatalf("%s %q: got %v, %v; want %v", tc.name, s, got, err, RuleInvalidUTF8)
				}
			}
		}
	}
}

// TestUTF8FailsFast: an invalid sequence fails the connection at the
// byte that makes it invalid, before the frame (or message) ends.
func TestUTF8FailsFast(t *testing.T) {
	tests := []struct {
		name  string
		bytes string // fed after the header of a 100-byte text frame
	}{
		{"surrogate", "ab\xed\xa0"},
		{"overlong", "\xe0\x80"},
		{"above U+10FFFF", "\xf4\x90"},
		{"lone continuation", "\x80"},
		{"invalid inside a long run", "aaaaaaaaaaaaaaaaaaaaaaa\xc3\x28aaaaaaa"},
	}
	for _, tc := range tests {
		for _, bytewise := range []bool{false, true} {
			var d Decoder
			cfg := &Config{}
			if err := d.Feed(cfg, []byte("\x81\x64"), &recorder{}, 0); err != nil {
				t.Fatal(err)
			}
			p := []byte(tc.bytes)
			var err error
			if bytewise {
				for i := range p {
					if err = d.Feed(cfg, p[i:i+1], &recorder{}, 0); err != nil {
						break
					}
				}
			} else {
				err = d.Feed(cfg, p, &recorder{}, 0)
			}
			if err != RuleInvalidUTF8 {
				t.Errorf("%s (bytewise %v): %v", tc.name, bytewise, err)
			}
		}
	}
}

// TestUTF8StateMatchesStdlib: validating random byte strings cut into
// random pieces agrees with utf8.Valid on the whole.
func TestUTF8StateMatchesStdlib(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("a\x7f\x80\x8f\x90\x9f\xa0\xbf\xc0\xc2\xdf\xe0\xe1\xed\xee\xef\xf0\xf1\xf4\xf5\xff")
	for range 20000 {
		p := make([]byte, rng.IntN(12))
		for i := range p {
			p[i] = alphabet[rng.IntN(len(alphabet))]
		}
		if rng.IntN(3) == 0 {
			p = append(p, []byte("ok é € 😀")[:rng.IntN(14)]...)
		}
		s, ok := utf8Boundary, true
		for rest := p; ok && len(rest) > 0; {
			n := 1 + rng.IntN(len(rest))
			s, ok = s.feed(rest[:n])
			rest = rest[n:]
		}
		got := ok && s == utf8Boundary
		if got != utf8.Valid(p) {
			t.Fatalf("%q: incremental %v, utf8.Valid %v", p, got, !got)
		}
		// A valid string never fails part-way, fed byte by byte.
		if utf8.Valid(p) {
			s := utf8Boundary
			for i := range p {
				if s, ok = s.feed(p[i : i+1]); !ok {
					t.Fatalf("%q: failed at byte %d", p, i)
				}
			}
		}
	}
	if _, ok := utf8Boundary.feed(bytes.Repeat([]byte("é"), 1000)); !ok {
		t.Fatal("long valid run rejected")
	}
}

// FuzzUTF8 holds the incremental validator to utf8.Valid for any bytes
// cut at any two points.
func FuzzUTF8(f *testing.F) {
	for _, tc := range utf8Cases {
		f.Add([]byte(tc.text), uint8(1), uint8(2))
	}
	f.Fuzz(func(t *testing.T, p []byte, i, j uint8) {
		a := min(int(i), len(p))
		b := min(max(int(j), a), len(p))
		s, ok := utf8Boundary, true
		for _, piece := range [][]byte{p[:a], p[a:b], p[b:]} {
			if s, ok = s.feed(piece); !ok {
				break
			}
		}
		if got := ok && s == utf8Boundary; got != utf8.Valid(p) {
			t.Fatalf("%q cut at %d, %d: %v, utf8.Valid %v", p, a, b, got, !got)
		}
	})
}
