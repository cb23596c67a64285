package reporter

import (
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// metric indexes the histograms a loop keeps per phase.
type metric int

const (
	mConnect metric = iota
	mDetect
	mReconnect
	mOutage
	mAttempts
	mRTT
	mBackoff
	mLateness
	mConnectTCP
	mConnectTLS // wss only
	mConnectUpgrade
	mDelivery      // clients' messages: produced → acked
	mDeliveryQueue // the part spent waiting to be sent
	mDeliveryWire  // sent → acked
	mDirect        // the server's direct messages: produced → received
	numMetrics
)

// numFileMetrics is how many metrics have a .hgrm file; the
// connect phases after them are extras found in summary.json and the .hlog.
const numFileMetrics = mConnectTCP

var metricNames = [numMetrics]string{
	"connect_latency", "detect_latency", "reconnect_latency", "outage",
	"attempts_per_recovery", "heartbeat_rtt", "backoff_delay", "timer_lateness",
	"connect_tcp", "connect_tls", "connect_upgrade",
	"delivery_latency", "delivery_queue", "delivery_wire", "direct_latency",
}

// Histogram geometry. Latencies are microseconds from 1 µs to one hour,
// attempts per recovery are plain counts; both keep 3 significant digits.
const (
	sigFigs          = 3
	maxMicros        = int64(time.Hour / time.Microsecond)
	maxAttemptsValue = int64(1_000_000)
)

// Metrics returns the names of the metrics that have a .hgrm file, in the
// order docs/results.md lists them (Files, .hgrm).
func Metrics() []string {
	out := make([]string, int(numFileMetrics))
	copy(out, metricNames[:numFileMetrics])
	return out
}

func (m metric) String() string { return metricNames[m] }

// isCount reports whether the metric records counts rather than microseconds.
func (m metric) isCount() bool { return m == mAttempts }

// scale is the divisor that turns a recorded value into the unit reported in
// results files: milliseconds for latencies, counts for attempts.
func (m metric) scale() float64 {
	if m.isCount() {
		return 1
	}
	return 1000
}

// metricByName returns the metric of a results-file name.
func metricByName(name string) (metric, bool) {
	for m := metric(0); m < numMetrics; m++ {
		if metricNames[m] == name {
			return m, true
		}
	}
	return 0, false
}

// newHist returns an empty histogram with the geometry of metric m.
func newHist(m metric) *hdr.Histogram {
	if m.isCount() {
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
func record(h **hdr.Histogram, m metric, v int64) {
	if *h == nil {
		*h = newHist(m)
	}
	_ = (*h).RecordValue(v)
}
