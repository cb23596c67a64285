package htmlreport

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stormbench/stormbench/charts"
)

func TestWriteRun(t *testing.T) {
	tests := []struct {
		fixture string
		golden  string
		charts  int
		want    []string // text the page must show
	}{
		{fxFull, "run-full.golden", 3, []string{"Harness saturated", "ramp", "starved", "Remedy", "recovery p99 / p100", "5.18 s / 11.4 s", "900/s"}},
		{fxMissing, "run-missing.golden", 3, []string{"No config.json", "server_timeseries.csv", "detect_latency.hgrm"}},
		{fxPartial, "run-partial.golden", 3, []string{"Interrupted: partial results", "Ctrl-C", "incomplete", "the run ended 0.8s after T0"}},
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			dir := copyFixture(t, tc.fixture)
			if err := WriteRun(dir); err != nil {
				t.Fatal(err)
			}
			doc := parsePage(t, dir)
			assertSelfContained(t, doc)
			if n := countElements(doc, "svg"); n != tc.charts {
				t.Errorf("%d inline svg charts, want %d", n, tc.charts)
			}
			for _, ext := range []string{"png", "svg"} {
				if _, err := os.Stat(filepath.Join(dir, plotsDir, charts.TimelineFile+"."+ext)); err != nil {
					t.Errorf("plots not written: %v", err)
				}
			}
			o := outline(doc)
			for _, w := range tc.want {
				if !strings.Contains(o, w) {
					t.Errorf("page does not show %q", w)
				}
			}
			golden(t, tc.golden, o)
		})
	}
}

// A report of a folder that cannot be read says which file is wrong, and
// writes no page.
func TestWriteRunErrors(t *testing.T) {
	tests := []struct {
		name string
		dir  func(t *testing.T) string
		want string
	}{
		{"malformed hgrm", func(t *testing.T) string { return copyFixture(t, fxBad) }, "outage.hgrm"},
		{"no summary", func(t *testing.T) string { return t.TempDir() }, "summary.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.dir(t)
			err := WriteRun(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("WriteRun: %v, want an error naming %s", err, tc.want)
			}
			if _, err := os.Stat(filepath.Join(dir, ReportFile)); err == nil {
				t.Error("a page was written")
			}
		})
	}
}

func TestWriteComparison(t *testing.T) {
	load := func(name string) *charts.Run {
		r, err := charts.Load(filepath.Join(fixtures, name))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	full, none, decorr, partial := load(fxFull), load(fxNone), load(fxDecorr), load(fxPartial)
	groups := []charts.Group{
		{Label: "jitter none", Runs: []*charts.Run{none, partial}},
		{Label: "jitter full", Runs: []*charts.Run{full}},
		{Label: "jitter decorrelated", Runs: []*charts.Run{decorr}},
	}
	tests := []struct {
		name   string
		table  Table
		golden string
		want   []string
	}{
		{
			name: "sweep with a table",
			table: Table{
				Columns: []string{"figure", "jitter none", "jitter full", "jitter decorrelated"},
				Rows: []Row{
					{Label: "peak attempts/s", Cells: []Cell{{Text: "4 180"}, {Text: "900 (×0.22)", Differs: true}, {Text: "390 (×0.09)", Best: true, Differs: true}}},
					{Label: "recovery p99", Cells: []Cell{{Text: "3.03 s"}, {Text: "5.18 s"}, {Text: "2.97 s", Best: true}}},
					{Label: "a short row", Cells: []Cell{{Text: "1"}}},
				},
			},
			golden: "comparison.golden",
			want:   []string{"*390 (×0.09)◆*", "900 (×0.22)◆", "Harness saturated in 3 of 4 runs", "Partial results in 1 of 4 runs", "jitter none, repeat 2", "Bold", "◆"},
		},
		{
			name:   "no table",
			golden: "comparison-notable.golden",
			want:   []string{"No comparison table was given."},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := WriteComparison(dir, "Jitter on a restart storm", groups, tc.table); err != nil {
				t.Fatal(err)
			}
			doc := parsePage(t, dir)
			assertSelfContained(t, doc)
			if n := countElements(doc, "svg"); n != 4 {
				t.Errorf("%d inline svg charts, want 4", n)
			}
			o := outline(doc)
			for _, w := range tc.want {
				if !strings.Contains(o, w) {
					t.Errorf("page does not show %q", w)
				}
			}
			golden(t, tc.golden, o)
		})
	}
	if err := WriteComparison(t.TempDir(), "x", nil, Table{}); err == nil {
		t.Error("no groups: no error")
	}
}

// The checker itself catches what it must: a page that links out fails.
func TestSelfContainedChecker(t *testing.T) {
	bad := []string{
		`<script>1</script>`,
		`<link rel="stylesheet" href="x.css">`,
		`<img src="a.png">`,
		`<a href="http://example.com/">x</a>`,
		`<style>body{background:url(a.png)}</style>`,
		`<style>@import "x.css";</style>`,
		`<p style="background: URL(x)">x</p>`,
		`<iframe></iframe>`,
		`<svg><image href="a.png"/></svg>`,
		`<svg><a xlink:href="http://x/">x</a></svg>`,
	}
	for _, page := range bad {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, ReportFile), []byte("<!DOCTYPE html><html><body>"+page+"</body></html>"), 0o644); err != nil {
			t.Fatal(err)
		}
		if refs := externalRefs(parsePage(t, dir)); len(refs) == 0 {
			t.Errorf("checker passed %s", page)
		}
	}
}
