package reporter

import (
	"time"

	"github.com/stormbench/stormbench/internal/measure"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram geometry. Latencies are microseconds from 1 µs to one hour,
// attempts per recovery are plain counts; both keep 3 significant digits.
const (
	sigFigs          = 3
	maxMicros        = int64(time.Hour / time.Microsecond)
	maxAttemptsValue = int64(1_000_000)
)

// Metrics returns the names of the metrics every run writes a .hgrm file
// of, in the order docs/results.md lists them (Files, .hgrm).
func Metrics() []string {
	var out []string
	for _, m := range measure.Metrics() {
		if m.Def().File == measure.FileAlways {
			out = append(out, m.String())
		}
	}
	return out
}

// scale is the divisor that turns a recorded value into the unit reported
// in results files: milliseconds for latencies, counts for counts.
func scale(m measure.Metric) float64 {
	if m.Counts() {
		return 1
	}
	return 1000
}

// newHist returns an empty histogram with the geometry of metric m.
func newHist(m measure.Metric) *hdr.Histogram {
	if m.Counts() {
		return hdr.New(1, maxAttemptsValue, sigFigs)
	}
	return hdr.New(1, maxMicros, sigFigs)
}

// micros converts a duration to a recordable microsecond value.
func micros(d time.Duration) int64 {
	v := int64(d / time.Microsecond)
	switch {
	case v < 0:
		return 0
	case v > maxMicros:
		return maxMicros
	}
	return v
}

// count converts an attempt count to a recordable value.
func count(n int) int64 {
	v := int64(n)
	switch {
	case v < 0:
		return 0
	case v > maxAttemptsValue:
		return maxAttemptsValue
	}
	return v
}

// record records v into *h, allocating the histogram on first use so that
// metrics a loop never sees cost no memory. The value is already in range, so
// RecordValue cannot fail.
func record(h **hdr.Histogram, m measure.Metric, v int64) {
	if *h == nil {
		*h = newHist(m)
	}
	_ = (*h).RecordValue(v)
}
