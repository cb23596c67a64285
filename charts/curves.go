package charts

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// curve is one setting drawn in an overlay: its legend text and colour,
// its first run, and the setting's other repeats.
type curve struct {
	label string
	color color.Color
	run   *Run
	// repeats are the setting's other runs (repeats 2, 3, …): drawn thin
	// and pale in the curve's colour behind the first, so that the spread
	// between repeats is seen, not hidden behind one of them.
	repeats []*Run
	// panelColors, when set, colours each panel's line on its own: a
	// one-run chart tells metrics apart, not runs.
	panelColors []color.Color
}

// runs returns the curve's runs, the first repeat first.
func (c curve) runs() []*Run {
	return append([]*Run{c.run}, c.repeats...)
}

// line draws the curve's k-th run (k = 0 is the first repeat): the first
// bold in the curve's colour, the others thin and pale in the same one.
func (c curve) line(panel, k int, xs, ys []float64) *plotter.Line {
	col := c.colorIn(panel)
	if k == 0 {
		return newLine(xs, ys, col, nil)
	}
	r, g, b, _ := col.RGBA()
	pale := color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 110}
	return newLineWidth(xs, ys, pale, nil, vg.Points(0.8))
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
// because a reader of the chart may not know the terms of docs/metrics.md.
var (
	detectPanel  = histPanel{MetricDetect, "Detect latency (T0 → client declares the connection dead)"}
	outagePanel  = histPanel{MetricOutage, "Outage (T0 → next successful handshake)"}
	connectPanel = histPanel{MetricConnect, "Connect latency (dial start → handshake complete)"}
)

// addHistLines draws metric of every curve's runs into panel p (the
// panel's index pi picks a one-run chart's colour), each histogram row
// mapped to a point by xy (false leaves the row out), repeats behind the
// first; it returns how many lines it drew.
func addHistLines(p *plot.Plot, curves []curve, pi int, metric string, xy func(HistPoint) (x, y float64, ok bool)) int {
	drawn := 0
	for _, c := range curves {
		runs := c.runs()
		for k := len(runs) - 1; k >= 0; k-- {
			h := runs[k].Hists[metric]
			if h.Empty() {
				continue
			}
			xs := make([]float64, 0, len(h.Points))
			ys := make([]float64, 0, len(h.Points))
			for _, pt := range h.Points {
				if x, y, ok := xy(pt); ok {
					xs, ys = append(xs, x), append(ys, y)
				}
			}
			if l := c.line(pi, k, xs, ys); l != nil {
				p.Add(l)
				drawn++
			}
		}
	}
	return drawn
}

// maxOf returns the largest value of metric over the curves' runs.
func maxOf(curves []curve, metric string) float64 {
	var m float64
	for _, c := range curves {
		for _, r := range c.runs() {
			if h := r.Hists[metric]; !h.Empty() {
				m = max(m, h.Max)
			}
		}
	}
	return m
}
