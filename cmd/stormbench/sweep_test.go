package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stormbench/stormbench/reporter"
)

func TestParseSweepArgs(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		axes  string
		base  string
		rep   int
		seed  uint64
		error string
	}{
		{"comma list", []string{"--jitter", "none,full", "--clients", "10"}, "[{jitter [none full]} {clients [10]}]", "", 1, 1, ""},
		{"repeated flag and = form", []string{"--jitter=none", "--jitter", "full", "--hold", "1s"}, "[{jitter [none full]}]", "--hold 1s", 1, 1, ""},
		{"exec keeps its commas", []string{"--fault", "exec:echo a,b", "--fault", "close,abort"}, "[{fault [exec:echo a,b close abort]}]", "", 1, 1, ""},
		{"sweep's own flags", []string{"--repeat", "3", "--seed=7", "--out", "/tmp/x", "--quiet"}, "[]", "--quiet", 3, 7, ""},
		{"duplicate value", []string{"--jitter", "none,none"}, "", "", 0, 0, `--jitter: "none" given twice`},
		{"bad repeat", []string{"--repeat", "0"}, "", "", 0, 0, "--repeat must be a whole number in [1, 1000]"},
		{"missing value", []string{"--jitter"}, "", "", 0, 0, "flag needs an argument: --jitter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sa, err := parseSweepArgs(tt.args)
			if tt.error != "" {
				if err == nil || !strings.Contains(err.Error(), tt.error) {
					t.Fatalf("error %v, want %q", err, tt.error)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var axes []string
			for _, ax := range sa.axes {
				axes = append(axes, "{"+ax.Flag+" ["+strings.Join(ax.Values, " ")+"]}")
			}
			if got := "[" + strings.Join(axes, " ") + "]"; got != tt.axes || strings.Join(sa.base, " ") != tt.base || sa.repeat != tt.rep || sa.seed != tt.seed {
				t.Fatalf("axes %s base %q repeat %d seed %d", got, sa.base, sa.repeat, sa.seed)
			}
		})
	}
}

func TestSweepLabels(t *testing.T) {
	axes := []reporter.SweepAxis{{Flag: "jitter", Values: []string{"none", "full"}}, {Flag: "clients", Values: []string{"100"}},
		{Flag: "heartbeat-interval", Values: []string{"5s", "30s"}}}
	cs := combos(axes)
	if len(cs) != 4 || strings.Join(cs[1], ",") != "none,100,30s" {
		t.Fatalf("combos %v", cs)
	}
	label, dir := sweepLabel(axes, cs[1])
	if label != "jitter=none heartbeat-interval=30s" || dir != "jitter-none_heartbeat-interval-30s" {
		t.Fatalf("label %q dir %q", label, dir)
	}
	if _, dir := sweepLabel([]reporter.SweepAxis{{Flag: "fault", Values: []string{"exec:kubectl rollout restart deploy/ws", "close"}}}, []string{"exec:kubectl rollout restart deploy/ws"}); dir != "fault-exec-kubectl-rollout-restart-deploy-ws" {
		t.Fatalf("dir %q", dir)
	}
}

// TestSweep runs a small sweep end to end: every run complete, the
// manifest and the comparison written; then a resumed sweep runs nothing
// again, and one that asks for another sweep is refused.
func TestSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	out := t.TempDir()
	args := []string{"--out", out, "--clients", "100", "--ramp-rate", "2000", "--hold", "300ms", "--fault", "close",
		"--backoff-base", "100ms,300ms", "--repeat", "2", "--heartbeat-interval", "1s", "--server-broadcast-interval", "100ms",
		"--threshold", "recovered_pct>=100"}
	var so, se bytes.Buffer
	if err := dispatch(context.Background(), append([]string{"sweep"}, args...), &so, &se); err != nil {
		t.Fatalf("sweep: %v\n%s\n%s", err, so.String(), se.String())
	}
	dirs, _ := filepath.Glob(filepath.Join(out, "*-sweep-backoff-base"))
	if len(dirs) != 1 {
		t.Fatalf("sweep folders %v", dirs)
	}
	m, err := reporter.ReadSweep(dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Runs) != 4 {
		t.Fatalf("%d runs", len(m.Runs))
	}
	for _, r := range m.Runs {
		if r.Status != reporter.SweepComplete {
			t.Errorf("run %s: %s %s", r.Dir, r.Status, r.Error)
		}
		sum, err := reporter.ReadSummary(filepath.Join(dirs[0], r.Dir))
		if err != nil {
			t.Fatal(err)
		}
		if sum.Storms[0].Recovered != 100 || len(sum.Thresholds) != 1 {
			t.Errorf("run %s: recovered %d, thresholds %v", r.Dir, sum.Storms[0].Recovered, sum.Thresholds)
		}
	}
	if m.Runs[1].Seed != 2 || m.Runs[1].Dir != "backoff-base-100ms-r2" || m.Runs[2].Label != "backoff-base=300ms" {
		t.Errorf("runs %+v", m.Runs)
	}
	for _, f := range []string{"report.html", "plots/bars.svg", "plots/timeline.png", m.Runs[0].Dir + "/report.html", m.Runs[0].Dir + "/plots/cdf.svg"} {
		if _, err := os.Stat(filepath.Join(dirs[0], f)); err != nil {
			t.Errorf("sweep folder: %v", err)
		}
	}
	for _, f := range []string{"comparison.md", "comparison.csv", "comparison.json"} {
		if b, err := os.ReadFile(filepath.Join(dirs[0], f)); err != nil || !strings.Contains(string(b), "backoff-base=300ms") {
			t.Errorf("%s: %v", f, err)
		}
	}
	if !strings.Contains(so.String(), "peak_attempts_per_s") || !strings.Contains(se.String(), "run 4 of 4") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", so.String(), se.String())
	}

	so.Reset()
	if err := dispatch(context.Background(), []string{"report", dirs[0]}, &so, &se); err != nil || !strings.Contains(so.String(), "backoff-base=300ms") {
		t.Fatalf("report of the sweep: %v\n%s", err, so.String())
	}
	so.Reset()
	se.Reset()
	resume := append([]string{"sweep", "--resume-sweep", dirs[0]}, args...)
	if err := dispatch(context.Background(), resume, &so, &se); err != nil {
		t.Fatalf("resumed sweep: %v\n%s", err, se.String())
	}
	if strings.Contains(se.String(), "sweep: run ") {
		t.Errorf("a resumed complete sweep ran again:\n%s", se.String())
	}
	other := append([]string{"sweep", "--resume-sweep", dirs[0]}, append(args, "--jitter", "none,full")...)
	if code := exitCode(dispatch(context.Background(), other, &so, &se), &se); code != exitUsage {
		t.Errorf("resuming with other axes: exit %d, want 2", code)
	}
}

// cancelOn cancels when a line containing marker is written.
type cancelOn struct {
	marker string
	cancel context.CancelFunc
	buf    bytes.Buffer
}

func (w *cancelOn) Write(p []byte) (int, error) {
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.marker) {
		w.cancel()
	}
	return len(p), nil
}

// TestSweepInterrupted: Ctrl-C as the second run starts stops the sweep
// (that run writes what it measured, if anything); the comparison covers
// the first; the rest stay pending, to be resumed.
func TestSweepInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &cancelOn{marker: "run 2 of 3", cancel: cancel}
	args := []string{"sweep", "--out", out, "--clients", "100", "--ramp-rate", "2000", "--hold", "2s", "--fault", "close",
		"--jitter", "none,full,equal", "--heartbeat-interval", "1s"}
	var so bytes.Buffer
	err := dispatch(ctx, args, &so, w)
	if code := exitCode(err, &so); code != exitInterrupted {
		t.Fatalf("exit %d (%v), want %d\n%s", code, err, exitInterrupted, w.buf.String())
	}
	dirs, _ := filepath.Glob(filepath.Join(out, "*-sweep-jitter"))
	if len(dirs) != 1 {
		t.Fatalf("sweep folders %v", dirs)
	}
	m, err := reporter.ReadSweep(dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	// Run 2 was stopped at its start: partial if it had begun measuring,
	// pending (to be run on resume) if not.
	got := []string{m.Runs[0].Status, m.Runs[1].Status, m.Runs[2].Status}
	if s := strings.Join(got, ","); s != "complete,partial,pending" && s != "complete,pending,pending" {
		t.Fatalf("statuses %v (run 2: %s)", got, m.Runs[1].Error)
	}
	if b, err := os.ReadFile(filepath.Join(dirs[0], "comparison.csv")); err != nil || strings.Contains(string(b), "jitter=full") {
		t.Fatalf("comparison.csv (%v) should hold only the complete run:\n%s", err, b)
	}
}
