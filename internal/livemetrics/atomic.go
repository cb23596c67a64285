package livemetrics

import (
	"sync/atomic"
	"time"
)

// AtomicHistogram is a producer's side of a latency Histogram in the
// LatencyBuckets layout: one goroutine (an event loop) observes, any
// goroutine (a scrape) takes a snapshot. Keep one per event loop rather
// than one shared by all, so that loops never contend for its cache
// lines, and add the loops' snapshots with Histogram.Add. The zero value
// is ready to use.
type AtomicHistogram struct {
	counts [LatencyBucketCount + 1]atomic.Uint64
	sumNs  atomic.Uint64
}

// Observe records one duration; a negative one counts as 0. It does not
// allocate: it runs per attempt and per heartbeat.
func (h *AtomicHistogram) Observe(d time.Duration) {
	d = max(d, 0)
	h.counts[LatencyBucket(d)].Add(1)
	h.sumNs.Add(uint64(d))
}

// Snapshot returns what was observed so far. Buckets are read one by one
// while observations may land, so a snapshot may hold an observation's
// bucket without its share of Sum (or the reverse); the count is always
// the sum of the buckets.
func (h *AtomicHistogram) Snapshot() Histogram {
	out := Histogram{Upper: LatencyBuckets(), Counts: make([]uint64, len(h.counts))}
	for i := range h.counts {
		out.Counts[i] = h.counts[i].Load()
	}
	out.Sum = float64(h.sumNs.Load()) / float64(time.Second)
	return out
}
