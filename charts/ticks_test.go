package charts

import (
	"slices"
	"testing"
)

func TestPercentileTicks(t *testing.T) {
	tests := []struct {
		hi   float64
		want []string
	}{
		{1000, []string{"0 %", "50 %", "90 %", "99 %", "99.9 %"}},
		{100000, []string{"0 %", "90 %", "99 %", "99.9 %", "99.99 %", "99.999 %"}},
	}
	for _, tc := range tests {
		var labels []string
		for _, tk := range (percentileTicks{}).Ticks(1, tc.hi) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if !slices.Equal(labels, tc.want) {
			t.Errorf("Ticks(1, %v) labels %q, want %q", tc.hi, labels, tc.want)
		}
	}
}

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		want   []string
	}{
		{0, 13.8, []string{"0.0", "2.5", "5.0", "7.5", "10.0", "12.5"}},
		{0, 500, []string{"0", "100", "200", "300", "400", "500"}},
		{0, 45000, []string{"0", "10 000", "20 000", "30 000", "40 000"}},
		{0, 1, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{-3, 3, []string{"-3", "-2", "-1", "0", "1", "2", "3"}},
	}
	for _, tc := range tests {
		var got []string
		for _, tk := range (niceTicks{}).Ticks(tc.lo, tc.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Ticks(%v, %v) = %q, want %q", tc.lo, tc.hi, got, tc.want)
		}
	}
}
