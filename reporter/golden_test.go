package reporter

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\n%s", name, firstDiff(string(got), string(want)))
	}
}

func TestPrintSummaryGolden(t *testing.T) {
	saturated := func() *Shard {
		r := newTestRecorder()
		s := events{r.Sink(0)}
		s.Attempt(10*time.Millisecond, 12*time.Millisecond)
		s.Failed(10*time.Millisecond, 1)
		s.Cut(time.Second, "storm-1")
		s.Lateness(time.Millisecond)
		s.StormAffected(0)
		s.StormDetected(0, 30*time.Second, 4)
		sh := r.Snapshot(1500 * time.Millisecond)
		sh.Harness = HarnessUsage{Processes: 2, PeakRSSBytes: 3 << 30, PeakAnonBytes: 3<<30 - 40<<20, FileRSSBytes: 20 << 20, CPUSeconds: 0.5}
		return sh
	}
	tests := []struct {
		name  string
		shard func() *Shard
		opts  SummaryOptions
	}{
		{"summary.golden", func() *Shard { return scenarioShard(t) }, SummaryOptions{}},
		{"summary_saturated.golden", saturated, SummaryOptions{Interrupted: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := PrintSummary(&b, Summarize(tt.shard(), tt.opts)); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, b.Bytes())
		})
	}
}

func TestTimeseriesHeaderGolden(t *testing.T) {
	golden(t, "timeseries_header.golden", []byte(strings.Join(TimeseriesHeader(), ",")+"\n"))
}
