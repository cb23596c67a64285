package experiment

import (
	"time"

	"github.com/stormbench/stormbench/internal/kernel"
	"github.com/stormbench/stormbench/reporter"
)

// startHostSampling samples the machine into rec every interval
// (sampleHost) until the returned stop is called; stop returns once the
// sampler has finished, so that nothing writes to rec after it.
func startHostSampling(rec *reporter.Recorder, facts kernel.Facts, clock func() time.Duration, interval time.Duration) (stop func()) {
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		sampleHost(rec, facts, clock, interval, quit)
	}()
	return func() {
		close(quit)
		<-done
	}
}

// sampleHost records the machine's kernel TCP figures into rec once per
// interval until stop is closed: the kernel's TCP memory against tcp_mem,
// sockets in use, orphans, TIME_WAIT, and the counters of aborts for lack
// of memory, memory pressure and listen-queue overflows. One process per
// machine samples (the coordinator): the figures are the machine's.
func sampleHost(rec *reporter.Recorder, facts kernel.Facts, clock func() time.Duration, interval time.Duration, stop <-chan struct{}) {
	if lim, ok := facts.TCPMem.Get(); ok {
		rec.SetKernel(reporter.KernelLimits{TCPMemPages: [3]int64{lim.Min, lim.Pressure, lim.Max}, PageSize: int(facts.PageSize)})
	}
	sm, err := kernel.NewSampler(kernel.ProcNet)
	if err != nil {
		return
	}
	defer sm.Close()
	var prev, cur kernel.Sample
	if sm.Read(&prev) != nil {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		if sm.Read(&cur) != nil {
			continue
		}
		d := cur.Delta(prev)
		g := func(f kernel.Field) int64 { v, _ := cur.Get(f); return v }
		c := func(f kernel.Field) int64 { v, _ := d.Get(f); return max(v, 0) }
		// The sample describes the interval it falls in.
		rec.Host(clock(), reporter.HostSample{
			TCPMemPages: g(kernel.TCPMemPages), TCPInUse: g(kernel.TCPInUse), TCPOrphans: g(kernel.TCPOrphan),
			TCPTimeWait: g(kernel.TCPTimeWait), TCPAbortOnMemory: c(kernel.AbortOnMemory),
			TCPMemoryPressures: c(kernel.MemoryPressures), ListenOverflows: c(kernel.ListenOverflows), ListenDrops: c(kernel.ListenDrops),
		})
		prev, cur = cur, prev
	}
}
