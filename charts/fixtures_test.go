package charts

import (
	"os"
	"path/filepath"
	"testing"
)

// Fixture results folders, shared with package htmlreport: real small runs
// (500 clients, a restart storm; full, none and decorrelated jitter), a
// folder missing its optional files, a partial one and a malformed one.
const (
	fixtures     = "../testdata/results"
	fxFull       = "20261123-071911-restart-full"
	fxNone       = "20261123-071935-restart-none"
	fxDecorr     = "20261123-071941-restart-decorrelated"
	fxMissing    = "missing-optional"
	fxPartial    = "partial"
	fxMalformed  = "malformed"
	fxServerFile = "server_timeseries.csv"
)

// fixture returns the path of fixture folder name.
func fixture(name string) string { return filepath.Join(fixtures, name) }

// load loads fixture name or fails the test.
func load(t testing.TB, name string) *Run {
	t.Helper()
	r, err := Load(fixture(name))
	if err != nil {
		t.Fatalf("Load(%s): %v", name, err)
	}
	return r
}

// copyFixture copies fixture folder name into a temporary folder, for
// tests that break a file.
func copyFixture(t testing.TB, name string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), name)
	if err := os.CopyFS(dst, os.DirFS(fixture(name))); err != nil {
		t.Fatal(err)
	}
	return dst
}
