package charts

import "image/color"

// curve is one run drawn in an overlay: its legend text and colour.
type curve struct {
	label string
	color color.Color
	run   *Run
	// panelColors, when set, colours each panel's line on its own: a
	// one-run chart tells metrics apart, not runs.
	panelColors []color.Color
}

// colorIn returns the curve's colour in panel i.
func (c curve) colorIn(i int) color.Color {
	if i < len(c.panelColors) {
		return c.panelColors[i]
	}
	return c.color
}

// histPanel is one panel of a histogram chart: which metric, under which
// title.
type histPanel struct {
	metric string
	title  string
}

// Panels of the CDF and percentile charts. The titles define the metric,
// because a reader of the chart may not know the README's terms.
var (
	detectPanel  = histPanel{MetricDetect, "Detect latency (T0 → client declares the connection dead)"}
	outagePanel  = histPanel{MetricOutage, "Outage (T0 → next successful handshake)"}
	connectPanel = histPanel{MetricConnect, "Connect latency (dial start → handshake complete)"}
)

// maxOf returns the largest value of metric over the curves' runs.
func maxOf(curves []curve, metric string) float64 {
	var m float64
	for _, c := range curves {
		if h := c.run.Hists[metric]; !h.Empty() {
			m = max(m, h.Max)
		}
	}
	return m
}
