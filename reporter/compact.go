package reporter

import (
	"sync"

	"github.com/stormbench/stormbench/internal/measure"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// hists is the set of histograms of one phase or one storm of one loop.
// While it is open the loop records into dense; once it is closed (the loop
// cut to the next phase) the loop never writes it again, and the compactor
// replaces every dense histogram (≈185 KB at 1 µs–1 h, 3 digits, whatever
// it holds) by a sparse PackedHistogram of the same geometry (a few bytes
// per populated bucket). That keeps a long run's memory from growing by
// megabytes per storm.
type hists struct {
	dense  [measure.NumMetrics]*hdr.Histogram
	packed [measure.NumMetrics]*hdr.PackedHistogram
}

// get returns the histogram of metric m as a Hist sharing the loop's
// (dense or packed) histogram: only for input to a merge, which copies;
// nil when the metric recorded nothing. The caller holds the compactor's
// packMu.
func (h *hists) get(m measure.Metric) *Hist {
	if d := h.dense[m]; d != nil {
		return &Hist{Histogram: d}
	}
	if p := h.packed[m]; p != nil {
		return &Hist{Packed: p}
	}
	return nil
}

// pack replaces the dense histograms by packed ones. It reads the dense
// histograms without a lock (nobody writes them any more) and swaps under
// packMu, which Snapshot holds while it reads.
func (h *hists) pack(packMu *sync.Mutex) {
	var p [measure.NumMetrics]*hdr.PackedHistogram
	for m, d := range h.dense {
		if d == nil {
			continue
		}
		p[m] = newPacked(measure.Metric(m))
		p[m].MergeFrom(d) // same geometry: nothing is dropped
		p[m].Compact()
	}
	packMu.Lock()
	h.packed = p
	h.dense = [measure.NumMetrics]*hdr.Histogram{}
	packMu.Unlock()
}

// newPacked returns an empty sparse histogram with the geometry of metric m.
func newPacked(m measure.Metric) *hdr.PackedHistogram {
	if m.Counts() {
		return hdr.NewPacked(1, maxAttemptsValue, sigFigs)
	}
	return hdr.NewPacked(1, maxMicros, sigFigs)
}

// compactor packs closed histogram sets in the background, one goroutine
// at a time, started when there is work and gone when there is none: a
// loop hands a set over in Cut (a mutex-guarded queue, so the loop's writes
// happen before the compactor's reads) and never touches it again.
type compactor struct {
	// packMu orders the swap from dense to packed against Snapshot.
	packMu sync.Mutex

	mu      sync.Mutex
	queue   []*hists
	running bool
	idle    sync.Cond // broadcast when the queue is empty and nobody runs
}

// newCompactor returns an idle compactor.
func newCompactor() *compactor {
	c := &compactor{}
	c.idle.L = &c.mu
	return c
}

// submit queues a closed set for packing.
func (c *compactor) submit(h *hists) {
	c.mu.Lock()
	c.queue = append(c.queue, h)
	start := !c.running
	c.running = true
	c.mu.Unlock()
	if start {
		go c.run()
	}
}

// run packs queued sets until the queue is empty.
func (c *compactor) run() {
	for {
		c.mu.Lock()
		if len(c.queue) == 0 {
			c.running = false
			c.idle.Broadcast()
			c.mu.Unlock()
			return
		}
		h := c.queue[0]
		c.queue[0] = nil
		c.queue = c.queue[1:]
		c.mu.Unlock()
		h.pack(&c.packMu)
	}
}

// wait blocks until every submitted set is packed.
func (c *compactor) wait() {
	c.mu.Lock()
	for c.running {
		c.idle.Wait()
	}
	c.mu.Unlock()
}
