package jsonpath

import (
	"encoding/json"
	"testing"
)

// TestDecodeLikeEncodingJSON: AppendString and EqualString decode exactly
// as encoding/json does, escapes, surrogates and bad UTF-8 included.
func TestDecodeLikeEncodingJSON(t *testing.T) {
	for _, inner := range []string{
		``, `plain`, `h\u00e9llo`, `tab\tnl\nq\"bs\\sl\/b\bf\fr\r`, `\ud83d\ude00`, `\uD83D\uDE00x`,
		`\ud83d`, `\ude00`, `\ud83dx`, `\ud83d\u0041`, `\ud83d\ud83d\ude00`, `\ude00\ud83d`,
		"\xff", "a\xc3", "\xed\xa0\x80", "\xf4\x90\x80\x80", "é", `\u0000`, `\uFFFD`,
	} {
		msg := []byte(`{"k":"` + inner + `"}`)
		var m map[string]string
		if err := json.Unmarshal(msg, &m); err != nil {
			t.Fatalf("%q: %v", inner, err)
		}
		raw, kind, ok := Lookup(msg, mustCompile(t, "k"))
		if !ok || !kind.IsString() {
			t.Fatalf("%q: %v %v", inner, kind, ok)
		}
		if got := string(AppendString(nil, raw)); got != m["k"] {
			t.Errorf("%q: AppendString %q, encoding/json %q", inner, got, m["k"])
		}
		if !EqualString(raw, kind, m["k"]) || EqualString(raw, kind, m["k"]+"x") {
			t.Errorf("%q: EqualString", inner)
		}
		if kind == KindString && string(raw) != m["k"] {
			t.Errorf("%q: KindString but raw %q decodes to %q", inner, raw, m["k"])
		}
		// As a key, too.
		key := []byte(`{"` + inner + `":1}`)
		var mk map[string]int
		if err := json.Unmarshal(key, &mk); err != nil {
			t.Fatal(err)
		}
		for k := range mk {
			if k == "" {
				continue
			}
			if _, _, ok := Lookup(key, mustCompile(t, escapeKey(k))); !ok {
				t.Errorf("key %q (%q) not found", inner, k)
			}
		}
	}
	if EqualString([]byte("1"), KindNumber, "1") {
		t.Error("EqualString on a number")
	}
}
