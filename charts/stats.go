package charts

import (
	"math"
	"slices"
)

// median returns the median of vs (the mean of the middle two for an even
// count), NaN when vs is empty. It does not modify vs.
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
