package charts

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
)

// percentilesTitle is the title of the percentile charts.
const percentilesTitle = "Latency by percentile (HdrHistogram percentile plot)"

// percentileFigure draws connect latency and outage by percentile, side
// by side, on HdrHistogram's log "1/(1−p)" axis that gives the tail (99 %,
// 99.9 %, …) as much room as the median.
func percentileFigure(curves []curve, subtitle []string) *figure {
	f := &figure{title: percentilesTitle, subtitle: subtitle, width: chartWidth, height: chartHeight}
	row := make([]*plot.Plot, 0, 2)
	for pi, hp := range []histPanel{connectPanel, outagePanel} {
		unit, div := timeUnit(maxOf(curves, hp.metric))
		p := newPanel(hp.title, "percentile (log scale of 1/(1−p))", fmt.Sprintf("latency (%s)", unit))
		xmax := 10.0
		drawn := addHistLines(p, curves, pi, hp.metric, func(pt HistPoint) (float64, float64, bool) {
			if pt.Percentile >= 1 {
				return 0, 0, false // 1/(1−p) is infinite: off the axis
			}
			x := 1 / (1 - pt.Percentile)
			xmax = math.Max(xmax, x)
			return x, pt.Value / div, true
		})
		if drawn == 0 {
			emptyPanel(p, "no values recorded ("+hp.metric+".hgrm missing or empty)")
		} else {
			p.X.Scale = plot.LogScale{}
			p.X.Tick.Marker = percentileTicks{}
			// End the axis at the decade past the last row, so the last
			// labelled percentile is one the data reaches.
			p.X.Min, p.X.Max = 1, math.Pow(10, math.Ceil(math.Log10(xmax)-1e-9))
			p.Y.Min = 0
		}
		row = append(row, p)
	}
	f.panels = [][]*plot.Plot{row}
	return f
}
