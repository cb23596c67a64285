package template

import (
	"os"
	"path/filepath"
	"testing"
)

// writeFile writes content to a file in a fresh directory and returns its
// path.
func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// env is a LookupEnv over a fixed map.
func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

var testEnv = env(map[string]string{
	"TOKEN": "s3cr3t",
	"EMPTY": "",
	"SPACE": "a b/c+d",
	"CRLF":  "x\r\nInjected: 1",
	"BAD8":  "\xff",
})
