package template

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// FuzzParse parses arbitrary templates in every context against a file
// "f" (whose fourth line holds a NUL and fifth is not UTF-8) and the test
// environment. Parse must never panic; a template it accepts must render
// within MaxLen, without a control character in a header and as UTF-8 in
// a body, and a Static one the same for every client and time.
func FuzzParse(f *testing.F) {
	// No file is read: "f" (in any directory) is this content, and no
	// other exists, whatever path the fuzzer makes up (/dev/stdin would
	// never end).
	files := NewFiles()
	files.read = func(name string) ([]byte, error) {
		if filepath.Base(name) != "f" {
			return nil, os.ErrNotExist
		}
		return []byte("tok0\r\na b/c\n\nx\x00y\n\xff\n"), nil
	}
	for _, s := range []string{
		"Bearer {{line f}}", "ws://h/{{client}}?t={{line f}}", `{"t":{{now_ms}},"n":{{now_ns}}}`,
		"{{env TOKEN}}{{env SPACE}}", `{{"{{"}}`, "{{shard}}}}", "{{", "{{line}}", "{{ line  \"f\" }}",
		"{{env CRLF}}", "{{env BAD8}}", "a\rb", "{{nope}}", "{{client}}://x", "ws://{{client}}",
	} {
		for ctx := range 3 {
			f.Add(s, byte(ctx), uint8(3), uint64(1), int64(1))
		}
	}
	f.Fuzz(func(t *testing.T, s string, ctx byte, clients uint8, client uint64, now int64) {
		o := Options{Context: Context(ctx % 3), Clients: int(clients % 7), Files: files, LookupEnv: testEnv}
		tm, err := Parse(s, o)
		if err != nil {
			if tm != nil {
				t.Fatal("a template and an error")
			}
			return
		}
		out := tm.Append(nil, Vars{Client: client, Shard: int(clients), NowUnixNano: now})
		if len(out) > tm.MaxLen() {
			t.Fatalf("%d bytes, MaxLen %d", len(out), tm.MaxLen())
		}
		switch o.Context {
		case InHeader:
			if ctlIndex(out) >= 0 {
				t.Fatalf("control character in header %q", out)
			}
		case InBody:
			if !utf8.Valid(out) {
				t.Fatalf("not UTF-8: %q", out)
			}
		}
		if tm.Static() {
			if other := tm.Append(nil, Vars{Client: client + 1, Shard: int(clients), NowUnixNano: now + 1e9}); !bytes.Equal(out, other) {
				t.Fatalf("static template renders %q and %q", out, other)
			}
		}
	})
}
