package charts

import (
	"testing"

	"gonum.org/v1/plot/plotter"
)

// A decimated line keeps at most the limit, its x order, and every
// bucket's extremes: a one-point spike and a one-point dip survive at
// their true values.
func TestDecimate(t *testing.T) {
	series := func(n, spike, dip int) plotter.XYs {
		pts := make(plotter.XYs, n)
		for i := range pts {
			pts[i] = plotter.XY{X: float64(i) / 10, Y: 100 + float64(i%7)}
			if i == spike {
				pts[i].Y = 25000
			}
			if i == dip {
				pts[i].Y = 0
			}
		}
		return pts
	}
	tests := []struct {
		name            string
		n, limit        int
		spike, dip      int
		wantLen, maxLen int
	}{
		{"short: unchanged", 100, 4000, 10, 20, 100, 100},
		{"at the limit: unchanged", 4000, 4000, 10, 20, 4000, 4000},
		{"an hour of 100 ms rows", 36000, 4000, 17777, 35999, -1, 4000},
		{"odd sizes", 12345, 1001, 0, 12344, -1, 1001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := series(tt.n, tt.spike, tt.dip)
			out := decimate(in, tt.limit)
			if len(out) > tt.maxLen || tt.wantLen >= 0 && len(out) != tt.wantLen {
				t.Fatalf("%d points, want at most %d", len(out), tt.maxLen)
			}
			var hi, lo float64 = 0, 1e9
			for i, p := range out {
				hi, lo = max(hi, p.Y), min(lo, p.Y)
				if i > 0 && p.X <= out[i-1].X {
					t.Fatalf("x out of order at %d: %v after %v", i, p.X, out[i-1].X)
				}
			}
			if hi != 25000 || lo != 0 {
				t.Errorf("extremes %v–%v, want the spike 25000 and the dip 0 kept", lo, hi)
			}
		})
	}
}
