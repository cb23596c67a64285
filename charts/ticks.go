package charts

import (
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
)

// niceTicks labels about six round values (1, 2, 2.5 or 5 × 10ⁿ): plot's
// default labels only three, too few to read a value off a chart.
type niceTicks struct{}

// Ticks implements plot.Ticker.
func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: formatTick(lo, 1)}}
	}
	step := niceStep((hi - lo) / 6)
	var ticks []plot.Tick
	first := math.Ceil(lo/step-1e-9) * step
	for v := first; v <= hi+step*1e-9; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: formatTick(v, step)})
		if m := v + step/2; m < hi {
			ticks = append(ticks, plot.Tick{Value: m})
		}
	}
	return ticks
}

// niceStep returns the round step at or above raw.
func niceStep(raw float64) float64 {
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			return m * mag
		}
	}
	return 10 * mag
}

// formatTick formats v with as many decimals as step needs and groups the
// thousands with a space, as the figures of the README and docs do.
func formatTick(v, step float64) string {
	if math.Abs(v) < step*1e-6 {
		v = 0
	}
	// As many decimals as the step has: 2.5 s steps need one.
	dec := 0
	if st := strconv.FormatFloat(step, 'f', -1, 64); strings.Contains(st, ".") {
		dec = min(len(st)-strings.IndexByte(st, '.')-1, 6)
	}
	return groupThousands(strconv.FormatFloat(v, 'f', dec, 64))
}

// groupThousands inserts a space between groups of three digits of the
// integer part of a formatted number ("12345.5" → "12 345.5").
func groupThousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac = s[:i], s[i:]
	}
	if len(intPart) <= 4 {
		return sign + s
	}
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return sign + b.String() + frac
}

// percentileTicks labels the "1/(1−p)" axis of a percentile plot by the
// percentile each decade stands for: 1 is 0 %, 2 is 50 %, 10 is 90 %, 100
// is 99 %, 1000 is 99.9 %, … — the HdrHistogram plotter's convention,
// which spreads the tail that a linear axis crushes into its last pixel.
type percentileTicks struct{}

// Ticks implements plot.Ticker.
func (percentileTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for dec := 1.0; dec <= hi*1.0001; dec *= 10 {
		for m := 1; m < 10; m++ {
			v := dec * float64(m)
			if v < lo*0.9999 || v > hi*1.0001 {
				continue
			}
			t := plot.Tick{Value: v}
			// 50 % only while it has room: over more than three decades
			// its label runs into 0 %'s.
			if m == 1 || (m == 2 && dec == 1 && hi/lo <= 1000) {
				t.Label = percentileLabel(v)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// percentileLabel names the percentile at x = 1/(1−p).
func percentileLabel(x float64) string {
	p := 100 * (1 - 1/x)
	return strconv.FormatFloat(math.Round(p*1e6)/1e6, 'f', -1, 64) + " %"
}
