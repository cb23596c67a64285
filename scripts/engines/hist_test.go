package main

import (
	"testing"
	"time"
)

func TestHistBucketsBoundTheirValues(t *testing.T) {
	for _, v := range []uint64{0, 1, 63, 64, 65, 127, 128, 1000, 999_999, 1 << 40, 1<<62 + 12345} {
		i := histIndex(v)
		if i < 0 || i >= histBuckets {
			t.Fatalf("histIndex(%d) = %d, outside 0…%d", v, i, histBuckets-1)
		}
		up := uint64(histUpper(i))
		if up < v {
			t.Errorf("value %d: bucket %d upper bound %d is below it", v, i, up)
		}
		if v >= 64 && float64(up-v) > float64(v)/32 {
			t.Errorf("value %d: upper bound %d is more than 1/32 above it", v, up)
		}
		if i > 0 && uint64(histUpper(i-1)) >= v {
			t.Errorf("value %d: the bucket before %d already holds it (upper %d)", v, i, histUpper(i-1))
		}
	}
}

func TestMergedQuantiles(t *testing.T) {
	var a, b hist
	for i := 1; i <= 90; i++ {
		a.record(time.Duration(i) * time.Microsecond)
	}
	for i := 91; i <= 100; i++ {
		b.record(time.Duration(i) * time.Microsecond)
	}
	var m merged
	m.add(a.data())
	m.add(b.data())
	tests := []struct {
		q    float64
		want time.Duration
	}{
		{0.5, 50 * time.Microsecond},
		{0.9, 90 * time.Microsecond},
		{0.99, 99 * time.Microsecond},
		{1, 100 * time.Microsecond},
	}
	for _, tt := range tests {
		got := m.quantile(tt.q)
		if got < tt.want || float64(got-tt.want) > float64(tt.want)/32 {
			t.Errorf("quantile(%v) = %v, want %v within +1/32", tt.q, got, tt.want)
		}
	}
	var empty merged
	if got := empty.quantile(0.99); got != 0 {
		t.Errorf("empty quantile = %v, want 0", got)
	}
}

func TestSpreadMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want spread
	}{
		{[]float64{3}, spread{3, 3, 3}},
		{[]float64{5, 1, 3}, spread{3, 1, 5}},
		{[]float64{4, 1, 3, 2}, spread{2.5, 1, 4}},
	}
	for _, tt := range tests {
		if got := spreadOf(tt.in); got != tt.want {
			t.Errorf("spreadOf(%v) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}
