package experiment

import (
	"context"
	"fmt"
	"sort"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stormbench/stormbench/internal/fault"
	"github.com/stormbench/stormbench/internal/livemetrics"
	"github.com/stormbench/stormbench/internal/wsframe"
	"github.com/stormbench/stormbench/loadgen"
	sut "github.com/stormbench/stormbench/server-under-test"
)

// listenMetrics serves the Prometheus exposition of cols on addr (a
// loopback address: the live view shows a staging run's internals) until
// ctx ends.
func listenMetrics(ctx context.Context, addr string, cols ...prometheus.Collector) (*livemetrics.Server, error) {
	reg := prometheus.NewRegistry()
	for _, c := range cols {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
	}
	return livemetrics.Listen(ctx, addr, reg, livemetrics.Options{})
}

// serveLiveMetrics serves the run's live view on --metrics-listen until
// ctx ends, when p asks for it: the fleet's figures (run) and, with the
// embedded server, the server's (srv). It binds the port before anything
// else starts, so that a port in use stops the run before it began.
func serveLiveMetrics(ctx context.Context, p *Plan, run *lazyRunSource, srv *embeddedStats) error {
	if p.MetricsListen == "" {
		return nil
	}
	cols := []prometheus.Collector{livemetrics.NewRunCollector(run)}
	if p.Embedded() {
		cols = append(cols, livemetrics.NewServeCollector(srv))
	}
	ms, err := listenMetrics(ctx, p.MetricsListen, cols...)
	if err != nil {
		return &InputError{fmt.Errorf("--metrics-listen: %w", err)}
	}
	fmt.Fprintf(p.Stderr, "stormbench: metrics on http://%s/metrics\n", ms.Addr())
	return nil
}

// CheckMetricsAddr checks a --metrics-listen address before anything
// starts: host:port on a loopback address.
func CheckMetricsAddr(addr string) error { return livemetrics.CheckListenAddr(addr, false) }

// stormWatch passes the coordinator's storm facts on to the recorder and
// keeps the latest for the live view.
type stormWatch struct {
	loadgen.Recorder
	last atomic.Pointer[stormFact]
}

type stormFact struct {
	k    int
	info loadgen.StormInfo
}

// StormInfo implements loadgen.Recorder.
func (w *stormWatch) StormInfo(k int, info loadgen.StormInfo) {
	w.last.Store(&stormFact{k: k, info: info})
	w.Recorder.StormInfo(k, info)
}

// lazyRunSource answers with an empty snapshot until the fleet exists:
// the metrics port is bound before anything starts, so that a port in use
// stops the run before it began.
type lazyRunSource struct{ src atomic.Pointer[runSource] }

// RunSnapshot implements livemetrics.RunSource.
func (l *lazyRunSource) RunSnapshot() (livemetrics.RunSnapshot, error) {
	if s := l.src.Load(); s != nil {
		return s.RunSnapshot()
	}
	return livemetrics.RunSnapshot{}, nil
}

// runSource assembles a run's live view: the fleet's status and live
// figures, the phase, the latest storm.
type runSource struct {
	start  time.Time
	clock  func() time.Duration
	phase  func() string
	ctl    loadgen.Controller
	live   loadgen.LiveReader
	storms *stormWatch
}

// RunSnapshot implements livemetrics.RunSource.
func (s *runSource) RunSnapshot() (livemetrics.RunSnapshot, error) {
	st, err := s.ctl.Status()
	if err != nil {
		return livemetrics.RunSnapshot{}, err
	}
	l, err := s.live.Live()
	if err != nil {
		return livemetrics.RunSnapshot{}, err
	}
	out := livemetrics.RunSnapshot{
		Start: s.start, Elapsed: s.clock(), Phase: s.phase(),
		Clients: st.Clients, Open: st.Open, Connecting: st.Connecting, Waiting: st.Waiting, GaveUp: st.GaveUp,
		Counts: l.Counts, Keys: l.Keys, Latency: l.Latency,
		InvalidTransitions: st.InvalidTransitions,
	}
	if l.Loops > 0 {
		out.Harness = livemetrics.HarnessSnapshot{Sampled: true, TimerLatenessP99: l.LatenessP99, LoopBusy: l.LoopBusy}
	}
	if f := s.storms.last.Load(); f != nil {
		affected := int64(f.info.Affected)
		if affected < 0 {
			affected = st.Affected
		}
		out.Storm = livemetrics.StormSnapshot{Number: f.k + 1, WindowOpen: f.info.End == 0, T0: f.info.T0,
			Affected: affected, Detected: st.Detected, Recovered: st.Recovered}
	}
	return out, nil
}

// serveSource is the live view of a server-under-test: in this process,
// or a group whose workers answer through their control APIs.
type serveSource struct {
	stats   func() (sut.Stats, error)
	workers int
}

// ServeSnapshot implements livemetrics.ServeSource.
func (s serveSource) ServeSnapshot() (livemetrics.ServeSnapshot, error) {
	st, err := s.stats()
	if err != nil {
		return livemetrics.ServeSnapshot{}, err
	}
	if st.Workers < s.workers {
		return livemetrics.ServeSnapshot{}, fmt.Errorf("server stats: %d of %d worker processes answered", st.Workers, s.workers)
	}
	return serveSnapshot(st), nil
}

// serveSnapshot maps a server's /stats to the live view.
func serveSnapshot(st sut.Stats) livemetrics.ServeSnapshot {
	c := st.Counters
	ms := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	out := livemetrics.ServeSnapshot{
		Workers: max(st.Workers, 1), Accepts: c.Accepts, Handshakes: c.Handshakes, HandshakeErrors: c.HandshakeErrors,
		Rejects: withNames(c.RejectCauses, nil), Disconnects: withNames(c.DisconnectCauses, nil),
		Open: c.Open, PingsSent: c.PingsSent, PongsReceived: c.PongsReceived,
		AppPingsAnswered: c.AppPingsAnswered, ClientPingsAnswered: c.ClientPings,
		MessagesSent: c.MessagesSent, MessagesReplayed: c.MessagesReplayed, BytesSent: c.BytesSent, BytesReceived: c.BytesReceived,
		Faults: withNames(c.FaultsByKind, fault.Names(sut.FaultKinds)), ProtocolErrors: withNames(c.ProtocolErrors, ruleNames()),
		Detection: livemetrics.LatencySummary{Count: c.DetectionLatency.Count, P50: ms(c.DetectionLatency.P50),
			P99: ms(c.DetectionLatency.P99), Max: ms(c.DetectionLatency.Max)},
		Process: livemetrics.ProcessSnapshot{CPUSeconds: st.Process.CPUSeconds, RSSBytes: st.Process.RSSBytes,
			MaxRSSBytes: st.Process.MaxRSSBytes, Goroutines: st.Process.Goroutines, OpenFDs: st.Process.OpenFDs, FileLimit: st.Process.FileLimit},
	}
	if st.StartedUnixNs != 0 {
		out.Start = time.Unix(0, st.StartedUnixNs)
	}
	if h := st.Detections; h != nil {
		// The histogram gives the mean; Sum is what Prometheus wants.
		if hist := hdrhistogram.Import(h); hist.TotalCount() > 0 {
			out.Detection.Sum = time.Duration(hist.Mean() * float64(time.Microsecond) * float64(hist.TotalCount()))
		}
	}
	return out
}

// withNames returns m with every name present (zero when absent), so that
// each series exists from the first scrape.
func withNames(m map[string]int64, names []string) map[string]int64 {
	out := make(map[string]int64, len(names)+len(m))
	for _, n := range names {
		out[n] = 0
	}
	for k, v := range m {
		out[k] += v
	}
	return out
}

func ruleNames() []string {
	var out []string
	for _, r := range wsframe.Rules() {
		out = append(out, r.String())
	}
	sort.Strings(out)
	return out
}

// embeddedStats is the live view of the embedded server, through its
// control API; empty until the server started. While the server is down
// (a crash fault) it holds its last values: the run's own metrics share
// the scrape and must not fail with it.
type embeddedStats struct {
	ctl     atomic.Pointer[func() *sut.ControlClient]
	workers int
	last    atomic.Pointer[livemetrics.ServeSnapshot]
}

// ServeSnapshot implements livemetrics.ServeSource.
func (e *embeddedStats) ServeSnapshot() (livemetrics.ServeSnapshot, error) {
	ctl := e.ctl.Load()
	if ctl == nil {
		return livemetrics.ServeSnapshot{}, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	snap, err := serveSource{workers: e.workers, stats: func() (sut.Stats, error) { return (*ctl)().Stats(ctx, true) }}.ServeSnapshot()
	if err != nil {
		if last := e.last.Load(); last != nil {
			return *last, nil
		}
		return livemetrics.ServeSnapshot{}, nil
	}
	e.last.Store(&snap)
	return snap, nil
}
