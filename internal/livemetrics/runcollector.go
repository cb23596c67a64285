package livemetrics

import (
	"fmt"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stormbench/stormbench/internal/measure"
)

// runCounter is a counter of a RunSnapshot: a count column with a live
// name (measure.ColumnDef.Prom).
type runCounter struct {
	f family
	c measure.Column
}

// runByLabel is a family of a RunSnapshot counted by key
// (measure.FamilyDef.Prom), the key as its label.
type runByLabel struct {
	f   family
	fam measure.Family
}

// runHistogram is a latency histogram of a RunSnapshot
// (measure.MetricDef.Prom).
type runHistogram struct {
	f family
	m measure.Metric
}

// The run's counters, counters by label and histograms, from the
// measurement vocabulary.
var (
	runCounters   []runCounter
	runByLabels   []runByLabel
	runHistograms []runHistogram
)

func init() {
	for _, c := range measure.Columns() {
		if d := c.Def(); d.Prom != "" {
			runCounters = append(runCounters, runCounter{newFamily(d.Prom, help(d.Doc, "since the run started")), c})
		}
	}
	for _, f := range measure.Families() {
		if d := f.Def(); d.Prom != "" {
			runByLabels = append(runByLabels, runByLabel{newFamily(d.Prom, help(d.Doc, ""), d.Key), f})
		}
	}
	for _, m := range measure.Metrics() {
		if d := m.Def(); d.Prom != "" {
			runHistograms = append(runHistograms, runHistogram{newFamily(d.Prom, help(d.Doc, "")), m})
		}
	}
}

// help turns a one-line definition into a help text: a sentence, with
// more appended when given.
func help(doc, more string) string {
	if doc == "" {
		return ""
	}
	if more != "" {
		doc += ", " + more
	}
	return strings.ToUpper(doc[:1]) + doc[1:] + "."
}

// invalidTransitions is the state machine's count of refused events: the
// engine's health, not a measurement.
var invalidTransitions = newFamily("invalid_transitions_total", "Events the client state machine refused; anything but 0 is a bug in stormbench.")

// The run's gauges.
var (
	runStart   = newFamily("run_start_time_seconds", "Start of the run (offset 0 of every other time), in seconds since the Unix epoch.")
	runElapsed = newFamily("run_elapsed_seconds", "Time since the run started.")
	runPhase   = newFamily("phase_info", "The phase the run is in (ramp, hold, storm-k, hold-k, drain); always 1.", "phase")
	runFleet   = newFamily("fleet_clients", "Clients in the fleet.")
	runClients = newFamily("clients", "Clients of the fleet by state (open, connecting, waiting to reconnect, gave_up); idle and closed clients are not counted.", "state")

	stormNumber    = newFamily("storm_number", "Number of the current or last storm as phase names give it (storm-1 is 1); 0 before the first storm.")
	stormOpen      = newFamily("storm_window_open", "1 while the current storm's window is open (from the fault until every affected client is back or the recover timeout), else 0.")
	stormT0        = newFamily("storm_t0_seconds", "When the current or last storm's fault was applied (T0), in seconds since the run started; absent until known.")
	stormAffected  = newFamily("storm_affected_clients", "Connections the current or last storm's fault hit; absent until known.")
	stormDetected  = newFamily("storm_detected_clients", "Affected clients of the current or last storm that declared their connection dead.")
	stormRecovered = newFamily("storm_recovered_clients", "Affected clients of the current or last storm that completed a new handshake.")

	harnessLateness = newFamily("harness_timer_lateness_p99_seconds", "99th percentile of how late the load generator's timers fired in its latest interval; above a few milliseconds the harness itself delays what it measures.")
	// runState is never emitted: it names the run's source in the error
	// of a scrape that failed.
	runState = newFamily("run_state", "The state of the run, read from the fleet at every scrape; the scrape fails when the fleet cannot answer.")

	harnessBusy = newFamily("harness_loop_busy_ratio", "Share of the latest interval the load generator's event loops were busy (mean over loops, 0 to 1); near 1 the harness is saturated.")
)

// Client states of stormbench_clients, in order.
var clientStates = []string{"open", "connecting", "waiting", "gave_up"}

// RunCollector is a prometheus.Collector of a run: every scrape reads its
// source once and exposes that snapshot as stormbench_* metrics (every one
// is in testdata/run.golden). It keeps nothing between scrapes.
type RunCollector struct {
	src RunSource
}

// NewRunCollector returns a collector reading src at every scrape.
func NewRunCollector(src RunSource) *RunCollector {
	return &RunCollector{src: src}
}

// Describe implements prometheus.Collector.
func (c *RunCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, f := range runFamilies() {
		ch <- f.desc
	}
}

// runFamilies lists every metric a RunCollector may emit.
func runFamilies() []family {
	out := []family{runState, runStart, runElapsed, runPhase, runFleet, runClients,
		stormNumber, stormOpen, stormT0, stormAffected, stormDetected, stormRecovered,
		harnessLateness, harnessBusy, invalidTransitions}
	for _, m := range runCounters {
		out = append(out, m.f)
	}
	for _, m := range runByLabels {
		out = append(out, m.f)
	}
	for _, m := range runHistograms {
		out = append(out, m.f)
	}
	return out
}

// Collect implements prometheus.Collector. A source error fails the
// scrape (see the package documentation).
func (c *RunCollector) Collect(ch chan<- prometheus.Metric) {
	var e emitter
	s, err := c.src.RunSnapshot()
	if err != nil {
		e.err = fmt.Errorf("stormbench run: %w", err)
	} else {
		e.run(&s)
	}
	e.send(ch, runState.desc)
}

// run emits every metric of s.
func (e *emitter) run(s *RunSnapshot) {
	if !s.Start.IsZero() {
		e.gauge(runStart, float64(s.Start.UnixNano())/1e9)
	}
	e.seconds(runElapsed, s.Elapsed)
	if s.Phase != "" {
		if err := checkPhase(s.Phase); err != nil {
			e.fail(runPhase, fmt.Errorf("phase %q: %w", s.Phase, err))
		} else {
			e.gauge(runPhase, 1, s.Phase)
		}
	}
	e.gauge(runFleet, float64(s.Clients))
	for i, v := range []int64{s.Open, s.Connecting, s.Waiting, s.GaveUp} {
		e.gauge(runClients, float64(v), clientStates[i])
	}
	for _, m := range runCounters {
		e.counter(m.f, s.Counts[m.c])
	}
	e.counter(invalidTransitions, s.InvalidTransitions)
	for _, m := range runByLabels {
		e.byLabel(m.f, s.Keys[m.fam])
	}
	e.storm(&s.Storm)
	if h := s.Harness; h.Sampled {
		e.seconds(harnessLateness, h.TimerLatenessP99)
		e.gauge(harnessBusy, h.LoopBusy)
	}
	for _, m := range runHistograms {
		h := s.Latency[m.m]
		if h.Upper != nil && !sameBounds(h.Upper, LatencyBuckets()) {
			e.fail(m.f, fmt.Errorf("bucket bounds %v: a run's latency histograms use LatencyBuckets", h.Upper))
			continue
		}
		e.histogram(m.f, h)
	}
}

// storm emits the state of the current or last storm.
func (e *emitter) storm(st *StormSnapshot) {
	if st.Number < 0 {
		e.fail(stormNumber, fmt.Errorf("storm number %d: want 0 before the first storm, else ≥ 1", st.Number))
		return
	}
	e.gauge(stormNumber, float64(st.Number))
	if st.Number == 0 {
		e.gauge(stormOpen, 0)
		return
	}
	open := 0.0
	if st.WindowOpen {
		open = 1
	}
	e.gauge(stormOpen, open)
	if st.T0 >= 0 {
		e.seconds(stormT0, st.T0)
	}
	if st.Affected >= 0 {
		e.gauge(stormAffected, float64(st.Affected))
	}
	e.gauge(stormDetected, float64(st.Detected))
	e.gauge(stormRecovered, float64(st.Recovered))
}
