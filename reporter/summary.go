package reporter

import (
	"time"

	"github.com/stormbench/stormbench/internal/measure"
)

// defaultLatenessBound is the timer-lateness p99 above which a run is
// saturated, when SummaryOptions leaves it zero.
const defaultLatenessBound = 5 * time.Millisecond

// SummaryFormat is the version of the summary.json layout written now.
// Summaries without a format field were written before it existed and are
// read as format 1.
const SummaryFormat = 2

// SummaryOptions configures Summarize.
type SummaryOptions struct {
	// LatenessBound is the timer-lateness p99 above which the run (or a
	// phase) is flagged saturated; zero means 5ms.
	LatenessBound time.Duration
	// Interrupted marks a run that was stopped early: partial results.
	Interrupted bool
	// PartialReasons says why the results are incomplete, in words for the
	// reader ("worker 2 exited at 41.2 s (signal: killed)"); any reason
	// makes the summary partial. Reasons the shard carries are added.
	PartialReasons []string
	// Events adds to the shard's events what the caller observed itself
	// (a server that exited, say).
	Events []Event
	// Server is the server's own view at the end of the run (stormbench's
	// server only); nil when there is none.
	Server *ServerView
	// Protocol is what the clients spoke (loadgen.Protocol's name), for
	// the warnings when the server did not understand them; "" when
	// unknown (a merge of shards).
	Protocol string
}

// Summary is the content of summary.json.
type Summary struct {
	// Format is the version of this layout (SummaryFormat); 1 for
	// summaries written before the field existed.
	Format int `json:"format"`
	// RunID names the run, when the recorders were given one.
	RunID string `json:"run_id,omitempty"`
	// Partial reports results that do not cover the whole run: lost
	// load-generator shards, or the reasons the caller gave.
	Partial bool `json:"partial"`
	// PartialReasons says why the results are partial.
	PartialReasons []string `json:"partial_reasons"`
	// MissingShards lists the client-ID classes ("index/count") whose
	// load-generator results are missing.
	MissingShards []string `json:"missing_shards"`
	// Coverage lists the client-ID classes the results cover; empty when
	// unknown.
	Coverage []string `json:"coverage,omitempty"`
	// Events lists what happened to the harness or its machine during the
	// run, in time order.
	Events []Event `json:"events"`
	// StartedAt is the wall-clock start of the run (RFC 3339).
	StartedAt time.Time `json:"started_at"`
	// DurationS is the run duration in seconds.
	DurationS float64 `json:"duration_s"`
	// IntervalS is the time-series interval in seconds.
	IntervalS float64 `json:"interval_s"`
	// Interrupted reports that the run was stopped early.
	Interrupted bool `json:"interrupted"`
	// Counters holds the run's totals.
	Counters Counters `json:"counters"`
	// Storms holds the figures of every storm, in order.
	Storms []StormSummary `json:"storms"`
	// Histograms holds the percentiles of every metric by name.
	Histograms map[string]HistogramSummary `json:"histograms"`
	// Heartbeat holds the cost and round trip of heartbeats.
	Heartbeat HeartbeatSummary `json:"heartbeat"`
	// Send is what happened to the clients' own messages, when they sent
	// any (run --send-rate).
	Send *SendSummary `json:"send,omitempty"`
	// Direct is what the clients received of the server's direct
	// messages, when it sent any.
	Direct *DirectSummary `json:"direct,omitempty"`
	// Server is what stormbench's own server saw of messages and
	// sessions (SummaryOptions.Server, from its /stats).
	Server *ServerView `json:"server,omitempty"`
	// Harness holds the health of the load generator itself.
	Harness HarnessSummary `json:"harness"`
	// Kernel holds the machine's TCP memory and listen queue figures,
	// when the coordinator sampled them.
	Kernel *KernelSummary `json:"kernel,omitempty"`
	// Thresholds are the run's pass/fail conditions (--threshold) and
	// whether it met them.
	Thresholds []ThresholdOutcome `json:"thresholds,omitempty"`
	// Warnings say when the clients and the server did not understand
	// each other (diagnose.go): the server closing connections with no
	// fault applied, messages no rule recognised, clients never ready.
	Warnings []string `json:"warnings,omitempty"`
}

// Quantiles are percentiles of a latency in milliseconds (or of a count).
type Quantiles struct {
	Min float64 `json:"min"`
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// TailQuantiles are the median, p99 and maximum of a latency in milliseconds.
type TailQuantiles struct {
	P50 float64 `json:"p50"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// HistogramSummary describes one metric's histogram over the whole run, in
// milliseconds (attempts_per_recovery: counts).
type HistogramSummary struct {
	Count int64   `json:"count"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P99   float64 `json:"p99"`
	P999  float64 `json:"p999"`
	Max   float64 `json:"max"`
	Mean  float64 `json:"mean"`
}

// HeartbeatSummary is the heartbeat traffic of a run (ping and pong frames
// in either direction, headers included) and its round trip.
type HeartbeatSummary struct {
	FramesSent     int64 `json:"frames_sent"`
	FramesReceived int64 `json:"frames_received"`
	BytesSent      int64 `json:"bytes_sent"`
	BytesReceived  int64 `json:"bytes_received"`
	// BytesPerConnS is heartbeat bytes, both directions, per
	// connection-second.
	BytesPerConnS float64 `json:"bytes_per_conn_s"`
	// FramesPerS is heartbeat frames, both directions, per second of run.
	FramesPerS float64 `json:"frames_per_s"`
	// ConnectionSeconds is the sum over intervals of open connections times
	// the interval length.
	ConnectionSeconds float64 `json:"connection_seconds"`
	// RTTMs is the ping → pong round trip in milliseconds.
	RTTMs TailQuantiles `json:"rtt_ms"`
}

// HarnessSummary is the health of the load generator itself.
type HarnessSummary struct {
	// TimerLatenessMs is the lateness of scheduled client actions.
	TimerLatenessMs TailQuantiles `json:"timer_lateness_ms"`
	// Saturated reports that some phase was saturated or starved (see
	// PhaseSummary.Verdict): that phase's figures describe the harness,
	// not the server. A burst the loops served in turn is not saturation;
	// its delay is stated in its phase's verdict.
	Saturated bool `json:"saturated"`
	// LatenessBoundMs is the bound in milliseconds.
	LatenessBoundMs float64 `json:"lateness_bound_ms"`
	// Phases gives the lateness of every phase.
	Phases []PhaseSummary `json:"phases"`
	// PeakRSSBytes is the peak resident set size, summed over processes:
	// it counts the executable's pages, which the processes share, once
	// per process.
	PeakRSSBytes int64 `json:"peak_rss_bytes"`
	// PeakAnonBytes is the processes' own memory at their peaks (RSS
	// without file pages), summed; FileRSSBytes the file pages of the
	// process that had the most (the executable, shared): their sum is
	// the memory the harness took. Absent where the system does not
	// tell them apart.
	PeakAnonBytes int64 `json:"peak_anon_bytes,omitempty"`
	FileRSSBytes  int64 `json:"file_rss_bytes,omitempty"`
	// CPUSeconds is user plus system CPU time, summed over processes.
	CPUSeconds float64 `json:"cpu_seconds"`
	// Processes is the number of recording processes.
	Processes int `json:"processes"`
	// Loops is the number of event loops.
	Loops int `json:"loops"`
	// LoopUtilisation is the share of the run the event loops were busy;
	// absent when the loops did not report it.
	LoopUtilisation *Utilisation `json:"loop_utilisation,omitempty"`
}

// PhaseSummary is the timer lateness and loop utilisation of one phase.
type PhaseSummary struct {
	Name            string        `json:"name"`
	StartS          float64       `json:"start_s"`
	EndS            float64       `json:"end_s"`
	TimerLatenessMs TailQuantiles `json:"timer_lateness_ms"`
	// Saturated is set when the verdict is saturated or starved: the
	// phase's figures describe the harness.
	Saturated bool `json:"saturated"`
	// LoopUtilisation is the share of the phase the event loops were
	// busy; absent when they did not report it.
	LoopUtilisation *Utilisation `json:"loop_utilisation,omitempty"`
	// Verdict explains the phase's lateness, if any.
	Verdict Verdict `json:"verdict"`
}

// Summarize computes the summary of a shard (usually a merged one). When
// the shard's coverage shows missing load-generator shards, the summary is
// partial and every storm is incomplete: the figures that compare with the
// affected count (recovered %, recovery time) are not computed, because the
// lost shards' clients are missing from them, not from the server. A shard
// whose scope is one machine's part of a run is partial too, and its storms
// are incomplete when the server counted the affected clients.
func Summarize(s *Shard, o SummaryOptions) *Summary {
	if o.LatenessBound <= 0 {
		o.LatenessBound = defaultLatenessBound
	}
	sum := &Summary{
		Format:         SummaryFormat,
		RunID:          s.RunID,
		PartialReasons: []string{},
		MissingShards:  []string{},
		Events:         []Event{},
		StartedAt:      s.Start,
		DurationS:      s.End.Seconds(),
		IntervalS:      s.Interval.Seconds(),
		Interrupted:    o.Interrupted,
		Counters:       counters(s),
		Storms:         make([]StormSummary, 0, len(s.Storms)),
		Histograms:     map[string]HistogramSummary{},
	}
	g := partial(sum, s, o)
	for k := range s.Storms {
		sum.Storms = append(sum.Storms, summarizeStorm(s, k, g))
		if o.Server != nil && o.Server.Series != nil {
			o.Server.Series.stormFigures(&sum.Storms[k], sum.StartedAt)
		}
	}
	sum.Server = o.Server
	for m := measure.Metric(0); m < measure.NumMetrics; m++ {
		sum.Histograms[m.String()] = histogramSummary(s.cumulative(m), m)
	}
	sum.Send = sendSummary(s)
	sum.Direct = directSummary(s)
	sum.Heartbeat = heartbeat(s)
	sum.Harness = harness(s, o.LatenessBound)
	sum.Kernel = kernel(s)
	sum.Warnings = diagnose(s, sum, o.Protocol)
	return sum
}

// heartbeat computes the heartbeat figures of s.
func heartbeat(s *Shard) HeartbeatSummary {
	h := HeartbeatSummary{
		FramesSent:     s.total(measure.HeartbeatFramesSent),
		FramesReceived: s.total(measure.HeartbeatFramesReceived),
		BytesSent:      s.total(measure.HeartbeatBytesSent),
		BytesReceived:  s.total(measure.HeartbeatBytesReceived),
		RTTMs:          tail(s.cumulative(measure.HeartbeatRTT), measure.HeartbeatRTT),
	}
	h.ConnectionSeconds = float64(s.total(measure.Open)) * s.Interval.Seconds()
	if h.ConnectionSeconds > 0 {
		h.BytesPerConnS = float64(h.BytesSent+h.BytesReceived) / h.ConnectionSeconds
	}
	if d := s.End.Seconds(); d > 0 {
		h.FramesPerS = float64(h.FramesSent+h.FramesReceived) / d
	}
	return h
}

// harness computes the harness health of s.
func harness(s *Shard, bound time.Duration) HarnessSummary {
	boundMs := float64(bound) / float64(time.Millisecond)
	h := HarnessSummary{
		TimerLatenessMs: tail(s.cumulative(measure.TimerLateness), measure.TimerLateness),
		LatenessBoundMs: boundMs,
		Phases:          make([]PhaseSummary, 0, len(s.Phases)),
		PeakRSSBytes:    s.Harness.PeakRSSBytes,
		PeakAnonBytes:   s.Harness.PeakAnonBytes,
		FileRSSBytes:    s.Harness.FileRSSBytes,
		CPUSeconds:      s.Harness.CPUSeconds,
		Processes:       s.Harness.Processes,
		Loops:           s.Loops,
	}
	busy := s.column(measure.LoopBusy)
	h.LoopUtilisation = utilisation(busy, s.Loops, s.Interval, 0, s.End)
	for _, p := range s.Phases {
		ps := PhaseSummary{Name: p.Name, StartS: p.Start.Seconds(), EndS: p.End.Seconds()}
		if l := p.Histograms[measure.TimerLateness.String()].dense(measure.TimerLateness); l != nil {
			ps.TimerLatenessMs = tail(l, measure.TimerLateness)
		}
		ps.LoopUtilisation = utilisation(busy, s.Loops, s.Interval, p.Start, p.End)
		ps.Verdict = phaseVerdict(s, p.Name, ps.TimerLatenessMs, ps.LoopUtilisation, p.Start, p.End, boundMs)
		ps.Saturated = ps.Verdict.State == VerdictSaturated || ps.Verdict.State == VerdictStarved
		h.Saturated = h.Saturated || ps.Saturated
		h.Phases = append(h.Phases, ps)
	}
	return h
}

// value returns the value of h at percentile p in the metric's report unit.
func value(h *Hist, m measure.Metric, p float64) float64 {
	if h.count() == 0 {
		return 0
	}
	return float64(h.ValueAtQuantile(p)) / scale(m)
}

// maxValue returns the largest value of h in the metric's report unit.
func maxValue(h *Hist, m measure.Metric) float64 {
	if h.count() == 0 {
		return 0
	}
	return float64(h.Max()) / scale(m)
}

// minValue returns the smallest value of h (0 when empty).
func minValue(h *Hist, m measure.Metric) float64 {
	if h.count() == 0 {
		return 0
	}
	return float64(h.Min()) / scale(m)
}

// histogramSummary describes h.
func histogramSummary(h *Hist, m measure.Metric) HistogramSummary {
	out := HistogramSummary{
		Count: h.count(),
		P50:   value(h, m, 50),
		P90:   value(h, m, 90),
		P99:   value(h, m, 99),
		P999:  value(h, m, 99.9),
		Max:   maxValue(h, m),
	}
	if out.Count > 0 {
		out.Mean = h.Mean() / scale(m)
	}
	return out
}

// quantiles returns p50, p90, p99 and max of h.
func quantiles(h *Hist, m measure.Metric) Quantiles {
	return Quantiles{Min: minValue(h, m), P50: value(h, m, 50), P90: value(h, m, 90), P99: value(h, m, 99), Max: maxValue(h, m)}
}

// tail returns p50, p99 and max of h.
func tail(h *Hist, m measure.Metric) TailQuantiles {
	return TailQuantiles{P50: value(h, m, 50), P99: value(h, m, 99), Max: maxValue(h, m)}
}
