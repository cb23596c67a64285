package experiment

import (
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/kernel"
	"github.com/stormbench/stormbench/reporter"
)

// TestHostSampling: the sampler records the machine every interval, and
// nothing after stop has returned.
func TestHostSampling(t *testing.T) {
	if sm, err := kernel.NewSampler(kernel.ProcNet); err != nil {
		t.Skipf("no kernel figures here: %v", err)
	} else {
		sm.Close()
	}
	start := time.Now()
	clock := func() time.Duration { return time.Since(start) }
	rec := reporter.NewRecorder(reporter.Options{Start: start, Interval: 10 * time.Millisecond})
	stop := startHostSampling(rec, kernel.ReadFacts(), clock, 10*time.Millisecond)
	for deadline := time.Now().Add(10 * time.Second); rec.Snapshot(clock()).HostSamples < 2; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			stop()
			t.Fatal("no samples within 10s")
		}
	}
	stopped := make(chan struct{})
	go func() {
		stop()
		close(stopped)
	}()
	within(t, 5*time.Second, "stop", stopped)
	n := rec.Snapshot(clock()).HostSamples
	time.Sleep(50 * time.Millisecond) // five intervals in which a running sampler would record
	if m := rec.Snapshot(clock()).HostSamples; m != n {
		t.Fatalf("%d samples after stop returned", m-n)
	}
}
