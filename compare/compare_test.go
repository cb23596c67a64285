package compare

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/measure"
	"github.com/stormbench/stormbench/reporter"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fixtureRun writes a results folder whose one storm has the given peak
// attempt rate and recovery p99 (nil: not reached), as a sweep's run.
func fixtureRun(t *testing.T, dir string, peak float64, p99 *float64, recovered int64, saturated bool) {
	t.Helper()
	p := func(v float64) *float64 { return &v }
	sum := reporter.Summary{
		Format: 2, StartedAt: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC), IntervalS: 0.1, DurationS: 20,
		Counters: reporter.CountersOf(map[measure.Column]int64{measure.Attempts: 2000 + int64(peak/10), measure.Connects: 2000, measure.Failures: int64(peak / 10)}),
		Storms: []reporter.StormSummary{{
			Fault: "restart", T0: 5, End: 15, Affected: 1000, Detected: 1000, Recovered: recovered,
			Attempts: 1000 + int64(peak/10), FailedAttempts: int64(peak / 10), PeakAttemptsPerS: peak,
			DetectMs:            reporter.Quantiles{P50: 1, P99: 3},
			OutageMs:            reporter.Quantiles{P99: 1500},
			ReconnectMs:         reporter.Quantiles{P99: 1400},
			AttemptsPerRecovery: reporter.Quantiles{P50: 1, P99: 2},
			RecoveryMs:          &reporter.Recovery{P50: p(700), P90: p(1200), P99: p99},
		}},
		Histograms: map[string]reporter.HistogramSummary{"connect_latency": {Count: 3000, P99: 12.5}},
		Heartbeat:  reporter.HeartbeatSummary{BytesPerConnS: 4.8},
		Harness:    reporter.HarnessSummary{Processes: 1, Saturated: saturated},
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(sum)
	if err := os.WriteFile(filepath.Join(dir, reporter.SummaryFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// fixtureSweep is a jitter sweep of three repeats: no jitter storms far
// harder than full jitter; equal jitter overlaps no jitter; one
// decorrelated run never reached p99.
func fixtureSweep(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	p := func(v float64) *float64 { return &v }
	m := &reporter.SweepManifest{Format: 1, Name: "jitter", Repeat: 3, Seed: 1,
		Axes: []reporter.SweepAxis{{Flag: "jitter", Values: []string{"none", "full", "equal", "decorrelated"}}}}
	runs := []struct {
		label string
		peak  []float64
		p99   []*float64
	}{
		{"jitter=none", []float64{45000, 46000, 47000}, []*float64{p(3300), p(3200), p(3400)}},
		{"jitter=full", []float64{10400, 10600, 10500}, []*float64{p(1300), p(1250), p(1290)}},
		{"jitter=equal", []float64{21000, 45500, 30000}, []*float64{p(2100), p(2200), p(2000)}},
		{"jitter=decorrelated", []float64{9000, 9500, 9800}, []*float64{p(1500), nil, p(1600)}},
	}
	for _, r := range runs {
		for k := range 3 {
			rd := strings.ReplaceAll(strings.ReplaceAll(r.label, "=", "-"), "/", "_") + "-r" + string(rune('1'+k))
			rec := int64(1000)
			if r.p99[k] == nil {
				rec = 980
			}
			fixtureRun(t, filepath.Join(dir, rd), r.peak[k], r.p99[k], rec, false)
			m.Runs = append(m.Runs, reporter.SweepRun{Label: r.label, Repeat: k + 1, Seed: uint64(k + 1), Dir: rd, Status: reporter.SweepComplete,
				Settings: map[string]string{"jitter": strings.TrimPrefix(r.label, "jitter=")}})
		}
	}
	m.Runs = append(m.Runs, reporter.SweepRun{Label: "jitter=none", Repeat: 4, Dir: "none-r4", Status: reporter.SweepPartial, Error: "interrupted"})
	if err := reporter.WriteSweep(dir, m); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestCompareGolden(t *testing.T) {
	groups, err := Load([]string{fixtureSweep(t)})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 4 || len(groups[0].Runs) != 3 || groups[0].Skipped != 1 {
		t.Fatalf("groups %d, none: %d runs, %d skipped", len(groups), len(groups[0].Runs), groups[0].Skipped)
	}
	tbl := Build(groups, 0)
	for _, tt := range []struct {
		name string
		f    Format
	}{{"text", FormatText}, {"markdown", FormatMarkdown}, {"csv", FormatCSV}, {"json", FormatJSON}} {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tbl.Write(&b, tt.f); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "jitter."+tt.name+".golden")
			if *update {
				if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test -update writes it)", err)
			}
			if !bytes.Equal(b.Bytes(), want) {
				t.Fatalf("%s output differs from %s (go test -update rewrites it):\n%s", tt.name, golden, b.String())
			}
		})
	}
}

// TestCompareCells: what the markers mean, on the fixture.
func TestCompareCells(t *testing.T) {
	groups, err := Load([]string{fixtureSweep(t)})
	if err != nil {
		t.Fatal(err)
	}
	tbl := Build(groups, 0)
	row := func(f reporter.Figure) Row {
		for _, r := range tbl.Rows {
			if r.Figure == f && r.Storm == 0 {
				return r
			}
		}
		t.Fatalf("no row %s", f)
		return Row{}
	}
	peak := row(reporter.FigPeakAttemptsPerS)
	none, full, equal, dec := peak.Cells[0], peak.Cells[1], peak.Cells[2], peak.Cells[3]
	if none.Median != 46000 || none.Min != 45000 || none.Max != 47000 || none.N != 3 {
		t.Errorf("none: %+v", none.Stat)
	}
	if !full.Differs || equal.Differs || none.Differs || !dec.Best || full.Best {
		t.Errorf("differs full %v equal %v none %v; best decorrelated %v full %v", full.Differs, equal.Differs, none.Differs, dec.Best, full.Best)
	}
	if r := full.Ratio; !full.HasRatio || r < 0.228 || r > 0.229 {
		t.Errorf("full ratio %v", r)
	}
	p99 := row(reporter.FigRecoveryP99)
	if c := p99.Cells[3]; c.N != 2 || c.Missing != 1 {
		t.Errorf("decorrelated p99: %+v (one run never reached it)", c.Stat)
	}
	if !p99.Cells[1].Best {
		t.Errorf("full jitter's p99 is the best: %+v", p99.Cells)
	}
	// Medians all equal: no best.
	for _, c := range row(reporter.FigRecoveredPct).Cells {
		if c.Best {
			t.Errorf("recovered_pct: a best among equal medians: %+v", c)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	empty := t.TempDir()
	if _, err := Load([]string{empty}); err == nil || !strings.Contains(err.Error(), "neither a run folder nor a sweep folder") {
		t.Fatalf("error %v", err)
	}
	if _, err := Load([]string{filepath.Join(empty, "nope")}); err == nil {
		t.Fatal("a missing folder loads")
	}
}
