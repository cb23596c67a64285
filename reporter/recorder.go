package reporter

import (
	"fmt"
	"slices"
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
	// RunID names the run; every process of one run (workers, machines)
	// must be given the same one, and shards of different runs do not
	// merge. Empty is allowed (then all of a merge's shards must leave it
	// empty).
	RunID string
	// Coverage is the client IDs whose clients this recorder's loops run
	// (ShardOf(cfg.Shard) for a load generator). Nil means unknown — right
	// for a coordinator whose recorder runs no loops, but then a merge
	// cannot check a shard with loops for duplicates and gaps.
	Coverage []ShardID
}

// Recorder records the measurements of one process's fleet. It implements
// loadgen.Recorder: one Sink per event loop, plus the coordinator's storm
// facts, host samples and events. Snapshot turns what it recorded into a
// Shard.
//
// Memory: per event loop, the open phase and the open storm keep dense HDR
// histograms (≈185 KB each for the metrics they saw); closed ones are packed
// in the background to sparse histograms of a few bytes per populated
// bucket. A storm then costs, per loop, its two phases (storm-k and the
// following hold) and its record, packed: about 30 KB with the values of a
// few hundred clients (TestRecorderMemoryPerStorm asserts < 64 KiB), plus
// the time series (one row of 8 B × 21 columns per loop and interval, storm
// or not).
type Recorder struct {
	start    time.Time
	interval time.Duration
	runID    string
	coverage []ShardID
	comp     *compactor

	mu            sync.Mutex
	sinks         []*sink
	infos         []*loadgen.StormInfo
	host          hostSeries
	hostSamples   int64
	hostState     hostState
	kernel        *KernelLimits
	events        []Event
	eventsDropped int
	reasons       []string
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
	var coverage []ShardID
	if o.Coverage != nil {
		coverage = slices.Clone(o.Coverage)
	}
	return &Recorder{
		start:    o.Start.Round(0), // wall clock only: shards compare and serialise it
		interval: o.Interval,
		runID:    o.RunID,
		coverage: coverage,
		comp:     newCompactor(),
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
		r.sinks[loop] = newSink(r.interval, r.comp)
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

// Event records something that happened to the harness or its machine (a
// worker that exited, a loop that stopped). It keeps the first 1000 events
// and counts the rest. It is safe for concurrent use.
func (r *Recorder) Event(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.event(e)
}

// event records e; the caller holds r.mu.
func (r *Recorder) event(e Event) {
	if len(r.events) >= maxEvents {
		r.eventsDropped++
		return
	}
	r.events = append(r.events, e)
}

// MarkPartial records why the recorded results are incomplete (a lost
// worker, say); the reason travels with the shard through merges into the
// summary. It is safe for concurrent use.
func (r *Recorder) MarkPartial(reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.Contains(r.reasons, reason) {
		r.reasons = append(r.reasons, reason)
	}
}

// Snapshot returns what the recorder has seen as a Shard covering the run
// duration end, with the harness usage of this process (getrusage). Call it
// after every loop has stopped: it reads the sinks without synchronisation.
// The shard shares no memory with the recorder.
func (r *Recorder) Snapshot(end time.Duration) *Shard {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.comp.packMu.Lock()
	defer r.comp.packMu.Unlock()
	recorded := len(r.host.rows)
	for _, s := range r.sinks {
		if s != nil {
			recorded = max(recorded, s.rows())
		}
	}
	rows := rowsFor(end, r.interval, recorded)

	out := newShard(r.start, r.interval, end)
	out.RunID = r.runID
	if r.coverage != nil {
		out.Coverage = slices.Clone(r.coverage)
		out.Scope = slices.Clone(r.coverage)
	}
	for k, info := range r.infos {
		for len(out.Storms) <= k {
			out.Storms = append(out.Storms, newStorm())
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
	if r.hostSamples > 0 {
		if err := out.addSeries(r.host.snapshot(rows)); err != nil {
			panic(fmt.Sprintf("reporter: snapshot of host series: %v", err))
		}
		out.HostSamples = r.hostSamples
	}
	if r.kernel != nil {
		k := *r.kernel
		out.Kernel = &k
	}
	out.addEvents(slices.Clone(r.events))
	out.EventsDropped = r.eventsDropped
	out.addReasons(r.reasons...)
	out.closePhases()
	out.Harness = usage()
	return out
}

// shard converts what the loop recorded into a one-loop shard of n rows. The
// result may share the loop's histograms: it is only meant as input to add.
// The caller holds the compactor's packMu.
func (s *sink) shard(start time.Time, end time.Duration, n int) *Shard {
	out := newShard(start, s.series.interval, end)
	out.Loops = 1
	out.Series = s.series.snapshot(n)
	out.Keys, out.KeySeries = s.keyShard(n)
	for _, p := range s.phases {
		out.Phases = append(out.Phases, p.shard())
	}
	n = len(s.storms)
	for _, st := range s.closed {
		n = max(n, st.k+1)
	}
	out.Storms = make([]Storm, n)
	for k := range out.Storms {
		out.Storms[k] = newStorm()
	}
	for _, st := range s.closed {
		rec := st.shard()
		out.Storms[st.k].add(&rec)
	}
	for _, st := range s.storms {
		if st != nil {
			rec := st.shard()
			out.Storms[st.k].add(&rec)
		}
	}
	return out
}
