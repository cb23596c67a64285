package charts

import (
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/stormbench/stormbench/reporter"
)

// barsTitle is the title of the bar chart.
const barsTitle = "Peak attempt rate and recovery p99 per setting (storm 1)"

// barsFigure draws, per group, the peak attempts per second and the
// recovery p99 of storm 1: the median of the repeats as the bar, their
// min–max as the error bar. A run without a value (no storm, an
// incomplete storm, fewer than 99 % recovered) is left out of its group's
// figures, never counted as zero.
func barsFigure(groups []Group, subtitle []string) *figure {
	labels := make([]string, len(groups))
	for i, g := range groups {
		labels[i] = wrapLabel(g.Label, 18)
	}
	peak := newPanel("Peak connection attempts per second", "", "attempts per second")
	rec := newPanel("Recovery p99 (T0 → 99 % of affected clients back)", "", "")
	var peaks, recs []bar
	maxRec := 0.0
	for i, g := range groups {
		peaks = append(peaks, spread(g.Runs, peakOf, colour(i)))
		b := spread(g.Runs, recoveryP99Of, colour(i))
		recs = append(recs, b)
		if b.ok {
			maxRec = math.Max(maxRec, b.hi)
		}
	}
	// Seconds from one second on: bars are read against their labels,
	// which say "3.03 s".
	unit, div := "ms", 1.0
	if maxRec >= 1000 {
		unit, div = "s", 1000
	}
	for i := range recs {
		recs[i].med, recs[i].lo, recs[i].hi = recs[i].med/div, recs[i].lo/div, recs[i].hi/div
	}
	rec.Y.Label.Text = fmt.Sprintf("recovery p99 (%s)", unit)
	peak.Add(bars{items: peaks, format: fmtRate})
	rec.Add(bars{items: recs, format: func(v float64) string { return fmtMs(v * div) }})
	for _, p := range []*plot.Plot{peak, rec} {
		p.NominalX(labels...)
		p.X.Tick.Label.Font.Size = vg.Points(tickSize)
		p.Y.Min = 0
	}
	f := &figure{title: barsTitle, width: chartWidth, height: chartHeight, panels: [][]*plot.Plot{{peak, rec}}}
	for i, g := range groups {
		f.legend = append(f.legend, legendItem{text: fmt.Sprintf("%s (%s)", g.Label, plural(len(g.Runs), "run")), color: colour(i), fill: true})
	}
	f.subtitle = with(subtitle, "Bar: median over the repeats; whiskers: min–max. A setting with no value (no storm, incomplete, under 99 % recovered) has no bar.")
	return f
}

// peakOf returns storm 1's peak attempts per second of r.
func peakOf(r *Run) (float64, bool) {
	st, ok := firstStorm(r)
	if !ok {
		return 0, false
	}
	return st.PeakAttemptsPerS, true
}

// recoveryP99Of returns storm 1's recovery p99 of r in milliseconds; none
// when it is null (too few recovered, or the storm is incomplete).
func recoveryP99Of(r *Run) (float64, bool) {
	st, ok := firstStorm(r)
	if !ok || st.RecoveryMs == nil || st.RecoveryMs.P99 == nil {
		return 0, false
	}
	return *st.RecoveryMs.P99, true
}

// firstStorm returns r's storm 1.
func firstStorm(r *Run) (reporter.StormSummary, bool) {
	if r == nil || r.Summary == nil || len(r.Summary.Storms) == 0 {
		return reporter.StormSummary{}, false
	}
	return r.Summary.Storms[0], true
}

// spread returns the median and min–max of value over runs, counting only
// the runs that have one.
func spread(runs []*Run, value func(*Run) (float64, bool), c color.Color) bar {
	var vs []float64
	for _, r := range runs {
		if v, ok := value(r); ok {
			vs = append(vs, v)
		}
	}
	b := bar{n: len(vs), of: len(runs), color: c}
	if len(vs) == 0 {
		return b
	}
	b.ok = true
	b.med, b.lo, b.hi = median(vs), slices.Min(vs), slices.Max(vs)
	return b
}

// wrapLabel breaks a category label at spaces into lines of about n
// characters, so that neighbouring labels do not run into each other.
func wrapLabel(s string, n int) string {
	var lines []string
	cur := ""
	for _, w := range splitWords(s) {
		if cur != "" && len([]rune(cur))+1+len([]rune(w)) > n {
			lines = append(lines, cur)
			cur = w
			continue
		}
		if cur != "" {
			cur += " "
		}
		cur += w
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return joinLines(lines)
}

// plural formats n things: "1 run", "3 runs".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
