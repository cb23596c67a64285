package livemetrics

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// The latency bucket layout: upper bounds first·2^k for k = 0 … n-1, i.e.
// 0.5 ms, 1 ms, 2 ms, 4 ms … 65.5 s, 131 s. Doubling keeps the relative
// error of every bucket the same (a factor of 2) from a loopback handshake
// to a recovery that takes the whole default --recover-timeout (60 s) and
// more; anything slower lands in the +Inf bucket. It is
// prometheus.ExponentialBuckets(0.0005, 2, 19), so dashboards may assume it.
const (
	// LatencyBucketFirst is the upper bound of the first latency bucket.
	LatencyBucketFirst = 500 * time.Microsecond
	// LatencyBucketCount is the number of finite latency buckets; a
	// Histogram in this layout has LatencyBucketCount+1 counts.
	LatencyBucketCount = 19
)

// LatencyBuckets returns the upper bounds, in seconds, that every latency
// histogram of a snapshot must use (a fresh slice: callers may keep it).
func LatencyBuckets() []float64 {
	out := make([]float64, LatencyBucketCount)
	for k := range out {
		out[k] = time.Duration(int64(LatencyBucketFirst) << k).Seconds()
	}
	return out
}

// LatencyBucket returns the index in Histogram.Counts of the latency
// bucket that holds d: the first bucket whose upper bound is ≥ d, or
// LatencyBucketCount (the +Inf bucket) for d above the last bound. d ≤ 0
// is in bucket 0. It does not allocate.
func LatencyBucket(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	// d in (first·2^(k-1), first·2^k] ⇔ (d-1)/first in [2^(k-1), 2^k-1]:
	// the bit length of the quotient is k.
	q := uint64(d-1) / uint64(LatencyBucketFirst)
	k := 0
	for q != 0 {
		q >>= 1
		k++
	}
	return min(k, LatencyBucketCount)
}

// Histogram is a distribution of durations in fixed buckets, as a producer
// keeps it: one counter per bucket, incremented per observation.
//
// The collector turns it into a Prometheus histogram, whose buckets are
// cumulative and whose count is the +Inf bucket. The count is derived from
// Counts rather than kept beside them, so that a producer summing atomic
// counters while observations land can never publish a count that
// disagrees with its buckets.
type Histogram struct {
	// Upper holds the buckets' inclusive upper bounds in seconds, finite
	// and strictly increasing. Nil means LatencyBuckets(), the layout
	// every latency histogram of a snapshot uses.
	Upper []float64 `json:"upper,omitempty"`
	// Counts holds the observations of each bucket, NOT cumulative:
	// Counts[i] counts values in (Upper[i-1], Upper[i]] (from 0 for i = 0),
	// and Counts[len(Upper)] those above the last bound. Its length is
	// len(Upper)+1, or 0 for a histogram without observations.
	Counts []uint64 `json:"counts,omitempty"`
	// Sum is the sum of every observation, in seconds.
	Sum float64 `json:"sum"`
}

// upper returns the bounds in effect (LatencyBuckets for nil).
func (h Histogram) upper() []float64 {
	if h.Upper == nil {
		return LatencyBuckets()
	}
	return h.Upper
}

// Count returns the number of observations: the sum of Counts.
func (h Histogram) Count() uint64 {
	var n uint64
	for _, c := range h.Counts {
		n += c
	}
	return n
}

// Add returns the sum of h and o, which must have the same bounds: the
// histogram of every event loop or worker process together.
func (h Histogram) Add(o Histogram) (Histogram, error) {
	hu, ou := h.upper(), o.upper()
	if !sameBounds(hu, ou) {
		return h, errors.New("histograms with different bucket bounds do not add")
	}
	if err := h.validate(); err != nil {
		return h, err
	}
	if err := o.validate(); err != nil {
		return h, err
	}
	out := Histogram{Upper: h.Upper, Sum: h.Sum + o.Sum, Counts: make([]uint64, len(hu)+1)}
	if out.Upper == nil {
		out.Upper = o.Upper
	}
	for i := range out.Counts {
		if len(h.Counts) > 0 {
			out.Counts[i] += h.Counts[i]
		}
		if len(o.Counts) > 0 {
			out.Counts[i] += o.Counts[i]
		}
	}
	return out, nil
}

func sameBounds(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// validate checks the shape: bounds finite and increasing, one count per
// bucket plus +Inf, a finite non-negative sum.
func (h Histogram) validate() error {
	up := h.upper()
	for i, u := range up {
		if math.IsNaN(u) || math.IsInf(u, 0) {
			return fmt.Errorf("bucket bound %d is %v: bounds must be finite", i, u)
		}
		if i > 0 && u <= up[i-1] {
			return fmt.Errorf("bucket bounds must increase (bound %d is %v after %v)", i, u, up[i-1])
		}
	}
	if len(h.Counts) != 0 && len(h.Counts) != len(up)+1 {
		return fmt.Errorf("%d counts for %d bounds: want one per bound plus the +Inf bucket", len(h.Counts), len(up))
	}
	if math.IsNaN(h.Sum) || math.IsInf(h.Sum, 0) || h.Sum < 0 {
		return fmt.Errorf("sum is %v: want a finite number of seconds ≥ 0", h.Sum)
	}
	return nil
}

// cumulative returns the Prometheus form: the count and the cumulative
// count at every finite bound (the +Inf bucket is the count).
func (h Histogram) cumulative() (uint64, map[float64]uint64) {
	up := h.upper()
	out := make(map[float64]uint64, len(up))
	var n uint64
	for i, u := range up {
		if len(h.Counts) > 0 {
			n += h.Counts[i]
		}
		out[u] = n
	}
	if len(h.Counts) > 0 {
		n += h.Counts[len(up)]
	}
	return n, out
}
