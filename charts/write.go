package charts

import (
	"errors"
	"fmt"
	"image/color"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Base names of the chart files (each written as .png and .svg).
const (
	TimelineFile    = "timeline"
	CDFFile         = "cdf"
	PercentilesFile = "percentiles"
	BarsFile        = "bars"
)

// WriteRunCharts draws the charts of one run into outDir (created if
// needed), each as PNG and SVG: timeline (open connections and attempts
// per second over time, storms marked, the server's accepts and
// handshakes when it reported them), cdf (detect latency and outage) and
// percentiles (connect latency and outage). A chart whose data the folder
// lacks is left out (the timeline without timeseries.csv); a histogram
// panel without its .hgrm file says so. It returns the charts written, in
// that order.
func WriteRunCharts(r *Run, outDir string) ([]Chart, error) {
	if r == nil || r.Summary == nil {
		return nil, fmt.Errorf("write run charts: no run")
	}
	sub := histSubtitle(runSubtitle(r))
	cdf := curve{label: r.Name(), run: r, panelColors: []color.Color{colour(0), colour(4)}}
	pct := curve{label: r.Name(), run: r, panelColors: []color.Color{colour(2), colour(4)}}
	figs := []struct {
		f    *figure
		base string
	}{
		{timelineFigure(r), TimelineFile},
		{singleLegend(cdfFigure([]curve{cdf}, sub), cdf, detectPanel, outagePanel), CDFFile},
		{singleLegend(percentileFigure([]curve{pct}, sub), pct, connectPanel, outagePanel), PercentilesFile},
	}
	var out []Chart
	for _, x := range figs {
		if x.f == nil {
			continue
		}
		x.f.warnings = runWarnings(r, "")
		c, err := x.f.write(outDir, x.base)
		if err != nil {
			return out, fmt.Errorf("write run charts of %s: %w", r.Dir, err)
		}
		out = append(out, c)
	}
	return out, removeStale(outDir, out)
}

// chartFiles are the base names this package writes.
var chartFiles = []string{TimelineFile, CDFFile, PercentilesFile, BarsFile}

// removeStale deletes the files of this package's charts in outDir that
// were not written now, so that a folder rewritten after its data changed
// (report on an older folder, a timeseries.csv removed) shows no chart of
// data it no longer has. Other files are left alone.
func removeStale(outDir string, written []Chart) error {
	for _, base := range chartFiles {
		if slices.ContainsFunc(written, func(c Chart) bool { return trimExt(filepath.Base(c.PNG)) == base }) {
			continue
		}
		for _, ext := range []string{".png", ".svg"} {
			if err := os.Remove(filepath.Join(outDir, base+ext)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("remove the stale chart %s: %w", base+ext, err)
			}
		}
	}
	return nil
}

// histSubtitle adds to a run's subtitle where the distributions come from.
func histSubtitle(sub []string) []string {
	return with(sub, "Distributions over every storm of the run, from its .hgrm files (HdrHistogram, ±0.1 %).")
}

// singleLegend gives a one-run histogram chart a legend naming each
// panel's metric with its count and maximum: with a single run the legend
// has no runs to tell apart.
func singleLegend(f *figure, c curve, panels ...histPanel) *figure {
	for i, hp := range panels {
		h := c.run.Hists[hp.metric]
		if h.Empty() {
			continue
		}
		f.legend = append(f.legend, legendItem{text: fmt.Sprintf("%s (%s values, max %s)", metricName(hp.metric), groupThousands(fmt.Sprint(h.Count)), fmtMs(h.Max)), color: c.colorIn(i)})
	}
	return f
}

// metricName names a histogram metric for a legend.
func metricName(m string) string {
	return strings.ReplaceAll(m, "_", " ")
}

// trimExt returns a file name without its extension.
func trimExt(s string) string { return s[:len(s)-len(filepath.Ext(s))] }
