package livemetrics

import (
	"sync"
	"testing"
	"time"
)

func TestAtomicHistogramSnapshot(t *testing.T) {
	var h AtomicHistogram
	if s := h.Snapshot(); s.Count() != 0 || s.Sum != 0 || len(s.Counts) != LatencyBucketCount+1 {
		t.Fatalf("zero value snapshot = %+v", s)
	}
	for _, d := range []time.Duration{-time.Millisecond, 0, 400 * time.Microsecond, time.Second, time.Hour} {
		h.Observe(d)
	}
	s := h.Snapshot()
	if s.Count() != 5 || s.Counts[0] != 3 || s.Counts[11] != 1 || s.Counts[LatencyBucketCount] != 1 {
		t.Fatalf("snapshot = %+v", s)
	}
	if want := (time.Hour + time.Second + 400*time.Microsecond).Seconds(); s.Sum != want {
		t.Fatalf("Sum = %v, want %v (a negative duration counts as 0)", s.Sum, want)
	}
	if err := s.validate(); err != nil {
		t.Fatal(err)
	}
}

// TestAtomicHistogramObserveAllocs guards the hot path: Observe runs per
// attempt and per heartbeat on the event loops.
func TestAtomicHistogramObserveAllocs(t *testing.T) {
	var h AtomicHistogram
	d := 3 * time.Millisecond
	if n := testing.AllocsPerRun(1000, func() { h.Observe(d); d += time.Millisecond }); n != 0 {
		t.Fatalf("Observe allocates %v times per call", n)
	}
}

// TestAtomicHistogramConcurrent has one goroutine per "loop" observe while
// another takes snapshots (run with -race): every snapshot's count stays
// within what was observed, and the final one has everything.
func TestAtomicHistogramConcurrent(t *testing.T) {
	const loops, per = 2, 5000
	hs := make([]AtomicHistogram, loops)
	var wg sync.WaitGroup
	for i := range hs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range per {
				hs[i].Observe(time.Duration(j) * time.Microsecond)
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	var last uint64
	for stop := false; !stop; {
		select {
		case <-done:
			stop = true
		default:
		}
		var sum Histogram
		for i := range hs {
			var err error
			if sum, err = sum.Add(hs[i].Snapshot()); err != nil {
				t.Fatal(err)
			}
		}
		n := sum.Count()
		if n < last || n > loops*per {
			t.Fatalf("count went from %d to %d (observed at most %d)", last, n, loops*per)
		}
		last = n
	}
	if last != loops*per {
		t.Fatalf("final count %d, want %d", last, loops*per)
	}
}

func BenchmarkAtomicHistogramObserve(b *testing.B) {
	b.ReportAllocs()
	var h AtomicHistogram
	d := time.Duration(0)
	for b.Loop() {
		h.Observe(d)
		d += 37 * time.Microsecond
	}
}
