package livemetrics

import (
	"time"

	"github.com/stormbench/stormbench/internal/measure"
)

// RunSnapshot is the state of a `run` at one instant, as the command
// assembles it from the fleet (every process, every event loop) and the
// scenario. Counters are cumulative since the run started and never go
// down; gauges are the latest values. The zero value is a valid snapshot
// of a run that has not started.
type RunSnapshot struct {
	// Start is the wall-clock instant of the run's offset 0 (the origin of
	// Elapsed and Storm.T0); zero omits stormbench_run_start_time_seconds.
	Start time.Time
	// Elapsed is the time since Start.
	Elapsed time.Duration
	// Phase is the name of the current phase (ramp, hold, storm-1,
	// hold-2, …, drain); empty omits stormbench_phase_info.
	Phase string

	// Clients is the size of the fleet.
	Clients int64
	// Open, Connecting, Waiting and GaveUp count clients in those states
	// (loadgen.Status of the same names).
	Open, Connecting, Waiting, GaveUp int64

	// Counts holds the run's count columns, cumulative since the run
	// started; those with a live name (measure.ColumnDef.Prom) are
	// exposed as counters.
	Counts measure.ByColumn[int64]
	// Keys counts every family by key name (measure.Family: failed
	// attempts and ended connections by cause, broken RFC 6455 rules).
	// Put every key of a family with a fixed set of keys in, zeros
	// included, so that each series exists from the first scrape. Keys
	// are label values: lower-case snake_case names (or numbers), at most
	// MaxLabelValues of them.
	Keys measure.ByFamily[map[string]int64]
	// InvalidTransitions counts events the client state machine refused;
	// anything but 0 is a bug in the engine.
	InvalidTransitions int64

	// Storm is the current or last storm.
	Storm StormSnapshot
	// Harness is the load generator's own health.
	Harness HarnessSnapshot
	// Latency holds the histograms of the metrics exposed live
	// (measure.MetricDef.Prom), cumulative since the run started, each in
	// the LatencyBuckets layout (Upper nil or equal to LatencyBuckets()).
	Latency measure.ByMetric[Histogram]
}

// StormSnapshot is the state of the current (or last) storm.
type StormSnapshot struct {
	// Number is the storm's number as phase names give it (storm-1 is 1),
	// 0 before the first storm (loadgen.Status.Storm + 1). While it is 0
	// the fields below are ignored.
	Number int
	// WindowOpen is set from the storm's beginning until its end (every
	// affected client back, or the recover timeout).
	WindowOpen bool
	// T0 is when the fault was applied, as an offset from the run's
	// Start; negative while it is not known (before the first storm, or a
	// server-side fault not applied yet).
	T0 time.Duration
	// Affected counts the connections the fault hit; negative while not
	// known.
	Affected int64
	// Detected counts affected clients that declared their connection dead.
	Detected int64
	// Recovered counts affected clients open again.
	Recovered int64
}

// HarnessSnapshot is the load generator's own health over its latest
// measurement interval (the time series' row, 100 ms, or a few of them).
type HarnessSnapshot struct {
	// Sampled is set when the figures below are known; unset omits them.
	Sampled bool
	// TimerLatenessP99 is the 99th percentile of how late scheduled
	// timers fired in the latest interval(s).
	TimerLatenessP99 time.Duration
	// LoopBusy is the share of that time the event loops were busy,
	// between 0 and 1 (the mean over loops).
	LoopBusy float64
}

// RunSource returns the run's current state. It is called once per scrape,
// possibly from several scrapes at once, so it must be safe for concurrent
// use; it should answer within seconds (a scrape gives up after 20 s).
type RunSource interface {
	// RunSnapshot returns the state now. An error (an event loop or a
	// worker process that died, a worker that did not answer) fails the
	// scrape, and the snapshot that comes with it is ignored.
	RunSnapshot() (RunSnapshot, error)
}

// RunSourceFunc adapts a function to RunSource.
type RunSourceFunc func() (RunSnapshot, error)

// RunSnapshot implements RunSource.
func (f RunSourceFunc) RunSnapshot() (RunSnapshot, error) { return f() }
