package charts

import (
	"errors"
	"fmt"
)

// WriteComparisonCharts draws groups (one setting each, with its repeats)
// into outDir, one colour per setting, as PNG and SVG: bars (peak attempts
// per second and recovery p99 of storm 1 per setting: median with min–max
// over the repeats; a run whose recovery p99 is null is left out, a
// setting without any value has no bar), then overlaid timeline (open
// connections and attempts per second, each run aligned at its T0), cdf
// and percentiles — curves of each setting's first repeat, which the
// legend says. It returns the charts written, in that order.
func WriteComparisonCharts(groups []Group, outDir string) ([]Chart, error) {
	if len(groups) == 0 {
		return nil, errors.New("write comparison charts: no groups")
	}
	for _, g := range groups {
		for _, r := range g.Runs {
			if r == nil || r.Summary == nil {
				return nil, fmt.Errorf("write comparison charts: group %q has a run without a summary", g.Label)
			}
		}
	}
	curves := groupCurves(groups)
	sub := comparisonSubtitle(groups, curves)
	hsub := with(sub, "Distributions over every storm of each run, from its .hgrm files (HdrHistogram, ±0.1 %).")
	figs := []struct {
		f    *figure
		base string
	}{
		// The bars first: they are the comparison at a glance.
		{barsFigure(groups, sub), BarsFile},
		{overlayTimeline(curves, sub), TimelineFile},
		{legendOf(cdfFigure(curves, hsub), curves), CDFFile},
		{legendOf(percentileFigure(curves, hsub), curves), PercentilesFile},
	}
	warn := comparisonWarnings(groups)
	var out []Chart
	for _, x := range figs {
		if x.f == nil {
			continue
		}
		x.f.warnings = warn
		c, err := x.f.write(outDir, x.base)
		if err != nil {
			return out, fmt.Errorf("write comparison charts: %w", err)
		}
		out = append(out, c)
	}
	return out, removeStale(outDir, out)
}

// legendOf gives an overlay chart one legend entry per curve.
func legendOf(f *figure, curves []curve) *figure {
	f.legend = curveLegend(curves)
	return f
}
