package charts

import (
	"fmt"
	"image/color"
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
	return out, nil
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
	switch m {
	case MetricConnect:
		return "connect latency"
	case MetricDetect:
		return "detect latency"
	case MetricOutage:
		return "outage"
	}
	return m
}
