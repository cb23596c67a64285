package main

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestSummarize(t *testing.T) {
	for _, tc := range []struct {
		name, path string
		t0         float64
		haveT0     bool
		want       runSummary
	}{
		{
			name: "a from its storm", path: "testdata/a", t0: 1, haveT0: true,
			want: runSummary{
				PeakConnecting: 10, PeakAt: 0.1,
				PeakSyn: 4, PeakSynAt: 0.37, HaveSyn: true,
				BusyFrom: 0.1, BusyTo: 0.8, BusyBound: 0.9, HaveBusy: true,
				ClientSeconds: 5.4, Attempts: 16,
				LatenessMax: 300, Phases: []string{"storm-1", "drain"}, ConnectTimeout: 5,
			},
		},
		{
			name: "a whole run", path: "testdata/a",
			want: runSummary{
				PeakConnecting: 10, PeakAt: 1.1,
				PeakSyn: 4, PeakSynAt: 1.37, HaveSyn: true,
				BusyFrom: 1.1, BusyTo: 1.8, BusyBound: 0.9, HaveBusy: true,
				ClientSeconds: 5.4, Attempts: 26,
				LatenessMax: 300, Phases: []string{"start", "ramp", "hold", "storm-1", "drain"}, ConnectTimeout: 5,
			},
		},
		{
			// Still connecting at the end: the bound stops at the last row.
			name: "b busy to the end", path: "testdata/b/timeseries.csv", t0: 0.5, haveT0: true,
			want: runSummary{
				PeakConnecting: 5, PeakAt: 0.1,
				BusyFrom: 0.1, BusyTo: 1.0, BusyBound: 1.0, HaveBusy: true,
				ClientSeconds: 5, Attempts: 5,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := loadRun("X", tc.path)
			if err != nil {
				t.Fatal(err)
			}
			r.T0, r.HaveT0 = tc.t0, tc.haveT0
			got := summarize(r)
			w := tc.want
			if tc.name == "a whole run" {
				// The fixture has no "start" phase; only phases that exist count.
				w.Phases = []string{"ramp", "hold", "storm-1", "drain"}
			}
			ok := near(got.PeakConnecting, w.PeakConnecting) && near(got.PeakAt, w.PeakAt) &&
				got.HaveSyn == w.HaveSyn && near(got.PeakSyn, w.PeakSyn) && near(got.PeakSynAt, w.PeakSynAt) &&
				got.HaveBusy == w.HaveBusy && near(got.BusyFrom, w.BusyFrom) && near(got.BusyTo, w.BusyTo) &&
				near(got.BusyBound, w.BusyBound) && near(got.ClientSeconds, w.ClientSeconds) &&
				near(got.Attempts, w.Attempts) && near(got.LatenessMax, w.LatenessMax) &&
				strings.Join(got.Phases, ",") == strings.Join(w.Phases, ",") && near(got.ConnectTimeout, w.ConnectTimeout)
			if !ok {
				t.Fatalf("got  %+v\nwant %+v", got, w)
			}
		})
	}
}

func TestCells(t *testing.T) {
	r, err := loadRun("A", "testdata/a")
	if err != nil {
		t.Fatal(err)
	}
	r.T0, r.HaveT0 = 1, true
	for _, tc := range []struct {
		step               float64
		k                  int
		att, conn, fail    float64
		open, cing, wait   float64
		covered, syn       float64
		haveSyn            bool
		first, last, cells int
	}{
		// Rows 0.1…1.0 lie before t0 (step −1), rows 1.1…2.0 after (step 0).
		{step: 1, k: -1, att: 10, conn: 10, open: 10, covered: 1, syn: 0, haveSyn: true, first: -1, last: 0, cells: 2},
		{step: 1, k: 0, att: 16, conn: 10, fail: 6, open: 10, covered: 1, syn: 4, haveSyn: true, first: -1, last: 0, cells: 2},
		// Half-second steps: 1.1…1.5 and 1.6…2.0.
		{step: 0.5, k: 0, att: 10, conn: 4, fail: 6, open: 2, cing: 8, covered: 0.5, syn: 4, haveSyn: true, first: -2, last: 1, cells: 4},
		{step: 0.5, k: 1, att: 6, conn: 6, open: 10, covered: 0.5, syn: 1, haveSyn: true, first: -2, last: 1, cells: 4},
	} {
		m := r.cells(tc.step)
		c := m[tc.k]
		first, last := r.span(tc.step)
		if len(m) != tc.cells || first != tc.first || last != tc.last || c == nil {
			t.Fatalf("step %v: %d cells, span %d…%d, cell %d = %v", tc.step, len(m), first, last, tc.k, c)
		}
		if !near(c.att, tc.att) || !near(c.conn, tc.conn) || !near(c.fail, tc.fail) || !near(c.open, tc.open) ||
			!near(c.connecting, tc.cing) || !near(c.waiting, tc.wait) || !near(c.covered, tc.covered) ||
			c.haveSyn != tc.haveSyn || !near(c.syn, tc.syn) {
			t.Errorf("step %v cell %d = %+v", tc.step, tc.k, *c)
		}
	}
}

// TestOutput compares the whole output for the fixture runs with golden
// files (go test ./scripts/timeline -update rewrites them).
func TestOutput(t *testing.T) {
	for _, tc := range []struct {
		golden string
		args   []string
	}{
		{"aligned.golden", []string{"-t0", "A=storm,slow=0.5", "-step", "0.5", "testdata/a", "slow=testdata/b/timeseries.csv"}},
		{"unaligned.golden", []string{"testdata/a/timeseries.csv"}},
		{"window.golden", []string{"-t0", "A=unix:1795405725.5", "-from", "0", "-to", "1", "testdata/a"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			var out bytes.Buffer
			if err := run(tc.args, &out); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.golden)
			if *update {
				if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("output differs from %s:\n%s", path, out.String())
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		msg  string
	}{
		{"no runs", nil, "no runs"},
		{"t0 of an unknown run", []string{"-t0", "Z=1", "testdata/a"}, `"Z"`},
		{"storm of a run without summary", []string{"-t0", "A=storm", "testdata/b"}, "summary.json"},
		{"label twice", []string{"x=testdata/a", "x=testdata/b"}, "twice"},
		{"bad step", []string{"-step", "0", "testdata/a"}, "-step"},
		{"missing file", []string{"testdata/nope"}, "nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(tc.args, &out)
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want one mentioning %s", err, tc.msg)
			}
		})
	}
}
