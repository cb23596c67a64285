package livemetrics

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func TestLatencyBucketsLayout(t *testing.T) {
	got := LatencyBuckets()
	if want := prometheus.ExponentialBuckets(0.0005, 2, 19); !slices.Equal(got, want) {
		t.Fatalf("LatencyBuckets() = %v, want ExponentialBuckets(0.0005, 2, 19) = %v", got, want)
	}
	if got[0] != 0.0005 || got[len(got)-1] < 120 {
		t.Fatalf("layout must span 0.5 ms … ≥ 120 s, got %v … %v", got[0], got[len(got)-1])
	}
	got[0] = 42 // a caller's copy: the next call is unaffected
	if LatencyBuckets()[0] != 0.0005 {
		t.Fatal("LatencyBuckets returned shared storage")
	}
}

func TestLatencyBucket(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want int
	}{
		{-time.Second, 0},
		{0, 0},
		{1, 0},
		{500 * time.Microsecond, 0},       // bounds are inclusive (Prometheus le)
		{500*time.Microsecond + 1, 1},     // just above the first bound
		{time.Millisecond, 1},             // 1 ms
		{3 * time.Millisecond, 3},         // (2 ms, 4 ms]
		{time.Second, 11},                 // (0.512 s, 1.024 s]
		{65536 * time.Millisecond, 17},    // exactly 65.536 s
		{120 * time.Second, 18},           // (65.5 s, 131 s]
		{131072 * time.Millisecond, 18},   // the last bound
		{131072*time.Millisecond + 1, 19}, // +Inf
		{time.Duration(math.MaxInt64), LatencyBucketCount},
	}
	for _, tt := range tests {
		if got := LatencyBucket(tt.d); got != tt.want {
			t.Errorf("LatencyBucket(%v) = %d, want %d", tt.d, got, tt.want)
		}
	}
}

// TestLatencyBucketMatchesBounds checks the bit trick against a plain
// search of the bounds around every bound.
func TestLatencyBucketMatchesBounds(t *testing.T) {
	up := LatencyBuckets()
	search := func(d time.Duration) int {
		for i, u := range up {
			if d.Seconds() <= u {
				return i
			}
		}
		return len(up)
	}
	for k := range LatencyBucketCount {
		b := time.Duration(int64(LatencyBucketFirst) << k)
		for _, d := range []time.Duration{b - 1, b, b + 1, b + b/3} {
			if got, want := LatencyBucket(d), search(d); got != want {
				t.Errorf("LatencyBucket(%v) = %d, the bounds say %d", d, got, want)
			}
		}
	}
}

func TestHistogramAdd(t *testing.T) {
	var a, b AtomicHistogram
	a.Observe(time.Millisecond)
	a.Observe(200 * time.Second)
	b.Observe(time.Millisecond)
	b.Observe(3 * time.Millisecond)
	sum, err := a.Snapshot().Add(b.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Count() != 4 || sum.Counts[1] != 2 || sum.Counts[3] != 1 || sum.Counts[LatencyBucketCount] != 1 {
		t.Fatalf("sum = %+v", sum)
	}
	if want := 200.005; math.Abs(sum.Sum-want) > 1e-9 {
		t.Fatalf("sum.Sum = %v, want %v", sum.Sum, want)
	}
	// The zero Histogram is an empty one in the default layout.
	z, err := Histogram{}.Add(a.Snapshot())
	if err != nil || z.Count() != 2 {
		t.Fatalf("zero + a = %+v, %v", z, err)
	}
	if _, err := a.Snapshot().Add(Histogram{Upper: []float64{1}, Counts: []uint64{1, 0}}); err == nil {
		t.Fatal("adding histograms of different layouts succeeded")
	}
}

func TestHistogramValidate(t *testing.T) {
	tests := []struct {
		name string
		h    Histogram
		want string // "" for valid
	}{
		{"zero", Histogram{}, ""},
		{"default layout", Histogram{Counts: make([]uint64, LatencyBucketCount+1)}, ""},
		{"own layout", Histogram{Upper: []float64{0.1, 1}, Counts: []uint64{1, 2, 3}, Sum: 4}, ""},
		{"missing +Inf", Histogram{Upper: []float64{0.1, 1}, Counts: []uint64{1, 2}}, "2 counts for 2 bounds"},
		{"decreasing", Histogram{Upper: []float64{1, 0.1}}, "must increase"},
		{"equal bounds", Histogram{Upper: []float64{1, 1}}, "must increase"},
		{"infinite bound", Histogram{Upper: []float64{1, math.Inf(1)}}, "finite"},
		{"NaN bound", Histogram{Upper: []float64{math.NaN()}}, "finite"},
		{"negative sum", Histogram{Sum: -1}, "sum is -1"},
		{"NaN sum", Histogram{Sum: math.NaN()}, "sum is NaN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.h.validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("validate() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("validate() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestHistogramCumulative(t *testing.T) {
	h := Histogram{Upper: []float64{0.1, 1}, Counts: []uint64{1, 2, 3}}
	n, b := h.cumulative()
	if n != 6 || b[0.1] != 1 || b[1] != 3 || len(b) != 2 {
		t.Fatalf("cumulative() = %d, %v", n, b)
	}
}
