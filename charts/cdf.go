package charts

import (
	"fmt"

	"gonum.org/v1/plot"
)

// cdfTitle is the title of the CDF charts.
const cdfTitle = "How long clients took to notice the fault and to be back (CDF)"

// cdfFigure draws the cumulative distributions of detect latency and
// outage of every curve's run, side by side: the share of clients whose
// latency was at most x.
func cdfFigure(curves []curve, subtitle []string) *figure {
	f := &figure{title: cdfTitle, subtitle: subtitle, width: chartWidth, height: chartHeight}
	row := make([]*plot.Plot, 0, 2)
	for pi, hp := range []histPanel{detectPanel, outagePanel} {
		unit, div := timeUnit(maxOf(curves, hp.metric))
		p := newPanel(hp.title, fmt.Sprintf("latency (%s)", unit), "share of clients at or below (%)")
		drawn := addHistLines(p, curves, pi, hp.metric, func(pt HistPoint) (float64, float64, bool) {
			return pt.Value / div, pt.Percentile * 100, true
		})
		if drawn == 0 {
			emptyPanel(p, "no values recorded ("+hp.metric+".hgrm missing or empty)")
		} else {
			p.Y.Min, p.Y.Max = 0, 100
			p.X.Min = 0
		}
		row = append(row, p)
	}
	f.panels = [][]*plot.Plot{row}
	return f
}
