package charts

import "gonum.org/v1/plot/plotter"

// maxLinePoints bounds the points of one drawn line. A chart is ~1 000
// pixels wide, so more points cannot be seen, but they make the SVG (and
// report.html, which inlines it) grow with the run: an hour at 100 ms rows
// is 36 000 points per line.
const maxLinePoints = 4000

// decimate returns pts with at most limit points: consecutive points are
// grouped into limit/2 buckets of equal count, and each bucket keeps its
// lowest and its highest point, in their order. Extremes survive, so a
// one-row spike (a storm's peak attempts per second) is drawn at its true
// height, never averaged away. Fewer points than limit are returned as they
// are.
func decimate(pts plotter.XYs, limit int) plotter.XYs {
	if len(pts) <= limit || limit < 2 {
		return pts
	}
	buckets := limit / 2
	out := make(plotter.XYs, 0, 2*buckets)
	for b := range buckets {
		from, to := b*len(pts)/buckets, (b+1)*len(pts)/buckets
		lo, hi := from, from
		for i := from + 1; i < to; i++ {
			if pts[i].Y < pts[lo].Y {
				lo = i
			}
			if pts[i].Y > pts[hi].Y {
				hi = i
			}
		}
		first, second := min(lo, hi), max(lo, hi)
		out = append(out, pts[first])
		if second != first {
			out = append(out, pts[second])
		}
	}
	return out
}
