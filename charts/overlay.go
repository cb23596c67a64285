package charts

import (
	"math"

	"github.com/stormbench/stormbench/internal/measure"

	"gonum.org/v1/plot"
)

// overlayTimeline draws the curves' time series overlaid: open
// connections above, attempts per second below, each run's clock shifted
// so that its first storm's T0 is at 0 (runs differ in when their storm
// began). Nil when no run has a time series.
func overlayTimeline(curves []curve, subtitle []string) *figure {
	top := newPanel("Open connections", "", "connections")
	bottom := newPanel("Connection attempts per second", "time since T0 of storm 1 (s)", "attempts per second")
	drawn := 0
	for _, c := range curves {
		// Repeats behind the first: the bold line stays on top.
		runs := c.runs()
		for k := len(runs) - 1; k >= 0; k-- {
			r := runs[k]
			if r.Series.Len() == 0 || r.IntervalS() <= 0 {
				continue
			}
			shift := 0.0
			if len(r.Summary.Storms) > 0 {
				shift = r.Summary.Storms[0].T0
			}
			t := make([]float64, len(r.Series.T))
			for i, v := range r.Series.T {
				t[i] = v - shift
			}
			if v, ok := r.Series.Column(measure.Open.String()); ok {
				if l := c.line(0, k, t, v); l != nil {
					top.Add(l)
				}
			}
			if v, ok := r.Series.Column(measure.Attempts.String()); ok {
				if l := c.line(0, k, t, scaled(v, 1/r.IntervalS())); l != nil {
					bottom.Add(l)
					drawn++
				}
			}
		}
	}
	if drawn == 0 {
		return nil
	}
	for _, p := range []*plot.Plot{top, bottom} {
		p.Add(stormMarks{spans: []stormSpan{{label: "T0"}}, labels: p == top})
		p.Y.Min = math.Min(p.Y.Min, 0)
		p.Y.Max *= 1.06
	}
	shareX(top, bottom)
	f := &figure{title: timelineTitle, width: chartWidth, height: chartHeight, panels: [][]*plot.Plot{{top}, {bottom}}}
	f.subtitle = with(subtitle, "Time axis: each run's own T0 of storm 1 at 0.")
	f.legend = append(curveLegend(curves), legendItem{text: "T0: fault applied", color: stormLine, width: 1.2})
	return f
}
