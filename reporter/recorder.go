package reporter

import (
	"fmt"
	"sync"
	"time"

	"github.com/stormbench/stormbench/loadgen"
)

// defaultInterval is the time-series interval when Options leaves it zero.
const defaultInterval = 100 * time.Millisecond

// Options configures a Recorder.
type Options struct {
	// Start is the wall-clock anchor of the run start (offset 0); zero means
	// time.Now().
	Start time.Time
	// Interval is the time-series interval; zero means 100ms.
	Interval time.Duration
}

// Recorder records the measurements of one process's fleet. It implements
// loadgen.Recorder: one Sink per event loop, plus the coordinator's storm
// facts. Snapshot turns what it recorded into a Shard.
type Recorder struct {
	start       time.Time
	interval    time.Duration
	nCauses     int
	nFailCauses int

	mu    sync.Mutex
	sinks []*sink
	infos []*loadgen.StormInfo
}

var _ loadgen.Recorder = (*Recorder)(nil)

// NewRecorder returns an empty Recorder.
func NewRecorder(o Options) *Recorder {
	if o.Start.IsZero() {
		o.Start = time.Now()
	}
	if o.Interval <= 0 {
		o.Interval = defaultInterval
	}
	return &Recorder{
		start:       o.Start.Round(0), // wall clock only: shards compare and serialise it
		interval:    o.Interval,
		nCauses:     len(loadgen.Causes()) + 1,
		nFailCauses: len(loadgen.FailCauses()) + 1,
	}
}

// Sink returns the sink of event loop loop, creating it on the first call.
// The sink must be used by one goroutine at a time. Sink panics when loop is
// negative.
func (r *Recorder) Sink(loop int) loadgen.Sink {
	if loop < 0 {
		panic(fmt.Sprintf("reporter: negative loop index %d", loop))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.sinks) <= loop {
		r.sinks = append(r.sinks, nil)
	}
	if r.sinks[loop] == nil {
		r.sinks[loop] = newSink(r.interval, r.nCauses, r.nFailCauses)
	}
	return r.sinks[loop]
}

// StormInfo sets the coordinator's facts of storm k; the last call wins.
// Indexes out of range are ignored. It is safe for concurrent use.
func (r *Recorder) StormInfo(k int, info loadgen.StormInfo) {
	if k < 0 || k >= maxStorms {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.infos) <= k {
		r.infos = append(r.infos, nil)
	}
	r.infos[k] = &info
}

// Snapshot returns what the recorder has seen as a Shard covering the run
// duration end, with the harness usage of this process (getrusage). Call it
// after every loop has stopped: it reads the sinks without synchronisation.
// The shard shares no memory with the recorder.
func (r *Recorder) Snapshot(end time.Duration) *Shard {
	r.mu.Lock()
	defer r.mu.Unlock()
	recorded := 0
	for _, s := range r.sinks {
		if s != nil {
			recorded = max(recorded, len(s.series.rows))
		}
	}
	rows := rowsFor(end, r.interval, recorded)

	out := newShard(r.start, r.interval, end)
	for k, info := range r.infos {
		for len(out.Storms) <= k {
			out.Storms = append(out.Storms, Storm{DetectCauses: map[string]int64{}, Histograms: map[string]*Hist{}})
		}
		if info != nil {
			c := *info
			out.Storms[k].Info = &c
		}
	}
	for i, s := range r.sinks {
		if s == nil {
			continue
		}
		if err := out.add(s.shard(r.start, end, rows)); err != nil {
			// Every part is built here with the recorder's own parameters.
			panic(fmt.Sprintf("reporter: snapshot of loop %d: %v", i, err))
		}
	}
	out.closePhases()
	out.Harness = usage()
	return out
}

// shard converts what the loop recorded into a one-loop shard of n rows. The
// result shares the loop's histograms: it is only meant as input to add.
func (s *sink) shard(start time.Time, end time.Duration, n int) *Shard {
	out := newShard(start, s.series.interval, end)
	out.Loops = 1
	out.Series = s.series.snapshot(n)
	out.FailureCauses = causeCounts(s.failCauses, failCauseName)
	out.DisconnectCauses = causeCounts(s.discCauses, causeName)
	for _, p := range s.phases {
		out.Phases = append(out.Phases, p.shard())
	}
	for _, st := range s.storms {
		if st == nil {
			out.Storms = append(out.Storms, Storm{})
			continue
		}
		out.Storms = append(out.Storms, st.shard())
	}
	return out
}
