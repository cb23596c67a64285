package jsonpath

import (
	"strings"
	"testing"
)

// mustCompile compiles path or fails the test.
func mustCompile(t testing.TB, path string) Path {
	t.Helper()
	p, err := Compile(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// escapeKey writes key as one element of a path.
func escapeKey(key string) string {
	return strings.NewReplacer(`\`, `\\`, `.`, `\.`, `=`, `\=`).Replace(key)
}

// pathOf writes keys as a path.
func pathOf(keys ...string) string {
	for i, k := range keys {
		keys[i] = escapeKey(k)
	}
	return strings.Join(keys, ".")
}
