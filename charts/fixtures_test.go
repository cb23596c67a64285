package charts

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
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

// noStormFixture returns a copy of the full fixture as a run without a
// storm (--fault none) whose detect latency histogram is empty, as such a
// run writes it.
func noStormFixture(t testing.TB) string {
	t.Helper()
	dir := copyFixture(t, fxFull)
	path := filepath.Join(dir, "summary.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var sum map[string]any
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	sum["storms"] = []any{}
	if b, err = json.Marshal(sum); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	var empty bytes.Buffer
	if _, err := hdrhistogram.New(1, 3600_000_000, 3).PercentilesPrint(&empty, 5, 1000); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "detect_latency.hgrm"), empty.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
