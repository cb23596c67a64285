package charts

import (
	"fmt"
	"image/color"
	"math"

	"github.com/stormbench/stormbench/internal/measure"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// timelineTitle is the title of the timeline charts.
const timelineTitle = "Open connections and connection attempts over time"

// timelineFigure draws r's time series: open connections above, attempts
// and failed attempts per second below, each storm's T0 and window marked
// on both, and the server's own open count, accepts and handshakes per
// second dashed when it reported them. Nil when r has no time series.
func timelineFigure(r *Run) *figure {
	if r.Series.Len() == 0 {
		return nil
	}
	iv := r.IntervalS()
	normal := vg.Points(1.6)
	top := newPanel("Open connections", "", "connections")
	bottom := newPanel("Connection attempts per second", "time since the run started (s)", "per second")
	f := &figure{title: timelineTitle, width: chartWidth, height: chartHeight, panels: [][]*plot.Plot{{top}, {bottom}}}
	f.subtitle = append(runSubtitle(r), fmt.Sprintf("Rows of %s; rates are counts per row ÷ row length.", fmtMs(iv*1000)))

	add := func(p *plot.Plot, s *Series, col string, div float64, c color.Color, dash []vg.Length, width vg.Length, label string) {
		v, ok := s.Column(col)
		if !ok {
			return
		}
		if div != 1 {
			v = scaled(v, 1/div)
		}
		if l := newLineWidth(s.T, v, c, dash, width); l != nil {
			p.Add(l)
			f.legend = append(f.legend, legendItem{text: label, color: c, dashes: dash, width: width})
		}
	}
	add(top, r.Series, measure.Open.String(), 1, colour(0), nil, normal, "open connections (clients)")
	// Attempts wide underneath, failures narrow on top: where every
	// attempt fails (a server still down) both stay visible.
	add(bottom, r.Series, measure.Attempts.String(), iv, colour(3), nil, vg.Points(3.2), "attempts/s (clients)")
	add(bottom, r.Series, measure.Failures.String(), iv, colour(4), nil, vg.Points(1.2), "failed attempts/s (clients)")
	if sv := r.Server; sv != nil && sv.Len() > 0 && sv.IntervalS > 0 {
		add(top, sv.Series, "open", 1, color.Black, dashed, normal, "open connections (server)")
		add(bottom, sv.Series, "accepts", sv.IntervalS, colour(2), dashed, normal, "accepts/s (server)")
		add(bottom, sv.Series, "handshakes", sv.IntervalS, colour(5), dashed, normal, "handshakes/s (server)")
		if !sv.Aligned {
			f.subtitle = append(f.subtitle, "The server's series is drawn from the run's start: server.json, which dates it, is missing.")
		}
	}
	spans := stormSpans(r, 0)
	if len(spans) > 0 {
		top.Add(stormMarks{spans: spans, labels: true, fill: true})
		bottom.Add(stormMarks{spans: spans, fill: true})
		f.legend = append(f.legend,
			legendItem{text: "T0: fault applied", color: stormLine, width: vg.Points(1.2)},
			legendItem{text: "storm window (until every affected client is back)", color: stormFill, fill: true})
	}
	shareX(top, bottom)
	top.X.Min, bottom.X.Min = 0, 0
	for _, p := range []*plot.Plot{top, bottom} {
		// From zero, and a little headroom so a peak does not touch the
		// panel's title.
		p.Y.Min = math.Min(p.Y.Min, 0)
		p.Y.Max *= 1.06
	}
	return f
}

// stormSpans returns r's storms on its clock shifted by −shift seconds.
func stormSpans(r *Run, shift float64) []stormSpan {
	var out []stormSpan
	for i, st := range r.Summary.Storms {
		if st.Fault == "" {
			continue // no coordinator facts: it cannot be placed in time
		}
		out = append(out, stormSpan{t0: st.T0 - shift, end: st.End - shift, label: fmt.Sprintf("storm %d T0", i+1)})
	}
	return out
}

// shareX gives every panel the union of their x ranges, so that stacked
// panels line up in time.
func shareX(ps ...*plot.Plot) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range ps {
		lo, hi = math.Min(lo, p.X.Min), math.Max(hi, p.X.Max)
	}
	for _, p := range ps {
		p.X.Min, p.X.Max = lo, hi
	}
}

// scaled returns vs multiplied by k.
func scaled(vs []float64, k float64) []float64 {
	out := make([]float64, len(vs))
	for i, v := range vs {
		out[i] = v * k
	}
	return out
}
