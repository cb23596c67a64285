package charts

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWriteRunCharts(t *testing.T) {
	tests := []struct {
		dir  string
		want []string
	}{
		{fxFull, []string{TimelineFile, CDFFile, PercentilesFile}},
		{fxMissing, []string{TimelineFile, CDFFile, PercentilesFile}},
		{fxPartial, []string{TimelineFile, CDFFile, PercentilesFile}},
	}
	for _, tc := range tests {
		t.Run(tc.dir, func(t *testing.T) {
			out := t.TempDir()
			cs, err := WriteRunCharts(load(t, tc.dir), out)
			if err != nil {
				t.Fatal(err)
			}
			checkCharts(t, cs, tc.want)
		})
	}
}

// A run without a storm and with an empty histogram still draws: no storm
// marks, a panel that says it has no values; in a comparison its setting
// gets no bar.
func TestWriteChartsNoStorm(t *testing.T) {
	r, err := Load(noStormFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Hists[MetricDetect].Empty() {
		t.Fatal("the empty detect histogram is not Empty")
	}
	cs, err := WriteRunCharts(r, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	checkCharts(t, cs, []string{TimelineFile, CDFFile, PercentilesFile})
	if b := spread([]*Run{r}, peakOf, colour(0)); b.ok {
		t.Errorf("a run without a storm has a peak bar: %+v", b)
	}
	cs, err = WriteComparisonCharts([]Group{{"none", []*Run{r}}, {"full", []*Run{load(t, fxFull)}}}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	checkCharts(t, cs, []string{BarsFile, TimelineFile, CDFFile, PercentilesFile})
}

// Without timeseries.csv there is no timeline, and the others still draw.
func TestWriteRunChartsWithoutSeries(t *testing.T) {
	dir := copyFixture(t, fxMissing)
	if err := os.Remove(filepath.Join(dir, "timeseries.csv")); err != nil {
		t.Fatal(err)
	}
	r, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := WriteRunCharts(r, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	checkCharts(t, cs, []string{CDFFile, PercentilesFile})
}

// Charts rewritten into a folder that has a chart the data no longer
// gives lose it (no stale timeline beside a report without one); files
// that are not this package's charts stay.
func TestRewriteRemovesStaleCharts(t *testing.T) {
	out := t.TempDir()
	if _, err := WriteRunCharts(load(t, fxFull), out); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(out, "notes.png")
	if err := os.WriteFile(mine, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := copyFixture(t, fxFull)
	if err := os.Remove(filepath.Join(dir, "timeseries.csv")); err != nil {
		t.Fatal(err)
	}
	r, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := WriteRunCharts(r, out); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"timeline.png", "timeline.svg"} {
		if _, err := os.Stat(filepath.Join(out, f)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: %v, want it removed", f, err)
		}
	}
	for _, f := range []string{"cdf.png", "percentiles.svg", "notes.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("%s: %v, want it kept", f, err)
		}
	}
}

func TestWriteComparisonCharts(t *testing.T) {
	full, none, decorr, partial := load(t, fxFull), load(t, fxNone), load(t, fxDecorr), load(t, fxPartial)
	tests := []struct {
		name   string
		groups []Group
	}{
		{"three settings", []Group{{"none", []*Run{none}}, {"full", []*Run{full}}, {"decorrelated", []*Run{decorr}}}},
		{"repeats, a null recovery p99", []Group{{"none", []*Run{none, partial}}, {"full", []*Run{full, full}}}},
		{"one setting without any value", []Group{{"partial", []*Run{partial}}, {"full", []*Run{full}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cs, err := WriteComparisonCharts(tc.groups, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			checkCharts(t, cs, []string{BarsFile, TimelineFile, CDFFile, PercentilesFile})
		})
	}
	if _, err := WriteComparisonCharts(nil, t.TempDir()); err == nil {
		t.Error("no groups: no error")
	}
}

// Every repeat of a setting is drawn, not only the first: each repeat after
// the first adds one thin, pale line to each of the two panels of the
// timeline, CDF and percentile charts; the first stays bold.
func TestRepeatsDrawn(t *testing.T) {
	full, none, decorr := load(t, fxFull), load(t, fxNone), load(t, fxDecorr)
	tests := []struct {
		name   string
		groups []Group
		pale   int // pale lines per chart
	}{
		{"no repeats", []Group{{"none", []*Run{none}}, {"full", []*Run{full}}}, 0},
		{"two repeats of one", []Group{{"none", []*Run{none, decorr}}, {"full", []*Run{full}}}, 2},
		{"three and two", []Group{{"none", []*Run{none, decorr, full}}, {"full", []*Run{full, none}}}, 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cs, err := WriteComparisonCharts(tc.groups, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cs[1:] { // the bars have no lines
				b, err := os.ReadFile(c.SVG)
				if err != nil {
					t.Fatal(err)
				}
				svg := string(b)
				if got := strings.Count(svg, "stroke-opacity:0.43137;stroke-width:0.8"); got != tc.pale {
					t.Errorf("%s: %d pale lines, want %d", filepath.Base(c.SVG), got, tc.pale)
				}
				if bold := strings.Count(svg, "stroke-width:1.6"); bold < 2*len(tc.groups) {
					t.Errorf("%s: %d bold lines, want at least %d", filepath.Base(c.SVG), bold, 2*len(tc.groups))
				}
			}
		})
	}
}

// A run whose recovery p99 is null is left out of its setting's bar, and a
// setting with no value at all has no bar: never a zero.
func TestBarsLeaveOutMissing(t *testing.T) {
	full, partial := load(t, fxFull), load(t, fxPartial)
	p99 := *full.Summary.Storms[0].RecoveryMs.P99
	tests := []struct {
		name  string
		runs  []*Run
		ok    bool
		n, of int
		med   float64
	}{
		{"all null", []*Run{partial}, false, 0, 1, 0},
		{"one of two null", []*Run{full, partial}, true, 1, 2, p99},
		{"none null", []*Run{full, full, full}, true, 3, 3, p99},
		{"no runs", nil, false, 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := spread(tc.runs, recoveryP99Of, colour(0))
			if b.ok != tc.ok || b.n != tc.n || b.of != tc.of || b.med != tc.med {
				t.Errorf("bar %+v, want ok %v, %d of %d, median %v", b, tc.ok, tc.n, tc.of, tc.med)
			}
		})
	}
}

// checkCharts asserts that cs are the charts named want, in order, each
// a PNG that decodes and an SVG that parses with an svg root element.
func checkCharts(t *testing.T, cs []Chart, want []string) {
	t.Helper()
	var got []string
	for _, c := range cs {
		got = append(got, trimExt(filepath.Base(c.PNG)))
		if trimExt(filepath.Base(c.SVG)) != trimExt(filepath.Base(c.PNG)) {
			t.Errorf("chart %q: PNG %s and SVG %s differ in name", c.Title, c.PNG, c.SVG)
		}
		if c.Title == "" {
			t.Errorf("chart %s has no title", c.PNG)
		}
		checkPNG(t, c.PNG)
		checkSVG(t, c.SVG)
	}
	if !slices.Equal(got, want) {
		t.Errorf("charts %q, want %q", got, want)
	}
}

// checkPNG decodes path as a PNG of a sensible size.
func checkPNG(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if sz := img.Bounds().Size(); sz.X < 800 || sz.Y < 400 {
		t.Errorf("%s: %v pixels, too small to read", path, sz)
	}
}

// checkSVG parses the whole of path as XML and checks that its root
// element is svg.
func checkSVG(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	root := ""
	depth := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				if root != "" {
					t.Fatalf("%s: second root element %s", path, e.Name.Local)
				}
				root = e.Name.Local
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	if root != "svg" || depth != 0 {
		t.Errorf("%s: root %q, open elements %d; want a closed svg", path, root, depth)
	}
}
