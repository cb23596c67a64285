package sut

import (
	"strings"
	"testing"
)

// FuzzDecodeFault: whatever the control API is sent, decoding either fails
// with a message or yields a request that validates.
func FuzzDecodeFault(f *testing.F) {
	for _, s := range []string{`{"kind":"abort"}`, `{"kind":"close","fraction":0.5,"code":4000}`, `{"kind":"x"}`, `{}`, `[`, `{"kind":"blackhole","duration_ms":-1}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		req, err := DecodeFault(strings.NewReader(s))
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if err := req.Validate(); err != nil {
			t.Fatalf("decoded %+v does not validate: %v", req, err)
		}
	})
}
