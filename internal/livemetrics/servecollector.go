package livemetrics

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// serveCounter is a plain counter of a ServeSnapshot.
type serveCounter struct {
	f family
	v func(*ServeSnapshot) int64
}

var serveCounters = []serveCounter{
	{newFamily("server_accepts_total", "TCP connections the server-under-test accepted."),
		func(s *ServeSnapshot) int64 { return s.Accepts }},
	{newFamily("server_handshakes_total", "WebSocket handshakes the server-under-test completed."),
		func(s *ServeSnapshot) int64 { return s.Handshakes }},
	{newFamily("server_handshake_errors_total", "Upgrades that failed for a reason other than a reject (an invalid request, a timeout, a connection lost midway)."),
		func(s *ServeSnapshot) int64 { return s.HandshakeErrors }},
	{newFamily("server_pings_sent_total", "Ping frames the server-under-test sent."),
		func(s *ServeSnapshot) int64 { return s.PingsSent }},
	{newFamily("server_pongs_received_total", "Pong frames the server-under-test received."),
		func(s *ServeSnapshot) int64 { return s.PongsReceived }},
	{newFamily("server_app_pings_answered_total", "Application-level pings the server-under-test answered."),
		func(s *ServeSnapshot) int64 { return s.AppPingsAnswered }},
	{newFamily("server_client_pings_answered_total", "Clients' ping frames the server-under-test answered with a pong."),
		func(s *ServeSnapshot) int64 { return s.ClientPingsAnswered }},
	{newFamily("server_messages_sent_total", "Broadcast messages the server-under-test sent."),
		func(s *ServeSnapshot) int64 { return s.MessagesSent }},
	{newFamily("server_messages_replayed_total", "Broadcast messages sent again to clients resuming the stream."),
		func(s *ServeSnapshot) int64 { return s.MessagesReplayed }},
	{newFamily("server_sent_bytes_total", "WebSocket bytes the server-under-test wrote to the wire."),
		func(s *ServeSnapshot) int64 { return s.BytesSent }},
	{newFamily("server_received_bytes_total", "WebSocket bytes the server-under-test read from the wire."),
		func(s *ServeSnapshot) int64 { return s.BytesReceived }},
}

// serveByLabel is a counter of a ServeSnapshot split by one label.
type serveByLabel struct {
	f family
	v func(*ServeSnapshot) map[string]int64
}

var serveByLabels = []serveByLabel{
	{newFamily("server_rejects_total", "Connections the server-under-test refused before the handshake, by cause (accept_rate, max_conns, bad_request, not_found).", "cause"),
		func(s *ServeSnapshot) map[string]int64 { return s.Rejects }},
	{newFamily("server_disconnects_total", "Connections of the server-under-test that ended, by cause (client_close, eof, reset, idle_timeout, fault, …).", "cause"),
		func(s *ServeSnapshot) map[string]int64 { return s.Disconnects }},
	{newFamily("server_faults_total", "Faults applied through the control API, by kind.", "kind"),
		func(s *ServeSnapshot) map[string]int64 { return s.Faults }},
	{newFamily("server_protocol_errors_total", "Clients the server-under-test failed for breaking a rule of RFC 6455, by rule.", "rule"),
		func(s *ServeSnapshot) map[string]int64 { return s.ProtocolErrors }},
}

// The server's other metrics.
var (
	// serveState is never emitted: it names the server's source in the
	// error of a scrape that failed.
	serveState    = newFamily("server_state", "The state of the server-under-test, read from its stats at every scrape; the scrape fails when they cannot be read.")
	serveStart    = newFamily("server_start_time_seconds", "When the server-under-test started, in seconds since the Unix epoch.")
	serveWorkers  = newFamily("server_workers", "Processes of the server-under-test.")
	serveOpen     = newFamily("server_open_connections", "Open WebSocket connections of the server-under-test.")
	serveDetect   = newFamily("server_detect_latency_seconds", "How long the server-under-test took to notice a dead client (its idle timeout), since it started.")
	serveDetMax   = newFamily("server_detect_latency_max_seconds", "The longest the server-under-test took to notice a dead client.")
	serveCPU      = newFamily("server_cpu_seconds_total", "User and system CPU time of the server-under-test's process(es).")
	serveRSS      = newFamily("server_resident_memory_bytes", "Resident memory of the server-under-test's process(es).")
	serveMaxRSS   = newFamily("server_max_resident_memory_bytes", "Peak resident memory of the server-under-test's process(es).")
	serveGoroutes = newFamily("server_goroutines", "Goroutines of the server-under-test's process(es).")
	serveFDs      = newFamily("server_open_fds", "Open file descriptors of the server-under-test's process(es).")
	serveMaxFDs   = newFamily("server_max_fds", "Limit on open file descriptors of one server-under-test process.")
)

// ServeCollector is a prometheus.Collector of a server-under-test: every
// scrape reads its source once and exposes that snapshot (every metric is
// in testdata/serve.golden). Its metrics are named stormbench_server_*, so
// that `run` with the embedded server can register it beside a
// RunCollector.
type ServeCollector struct {
	src ServeSource
}

// NewServeCollector returns a collector reading src at every scrape.
func NewServeCollector(src ServeSource) *ServeCollector {
	return &ServeCollector{src: src}
}

// serveFamilies lists every metric a ServeCollector may emit.
func serveFamilies() []family {
	out := []family{serveState, serveStart, serveWorkers, serveOpen, serveDetect, serveDetMax,
		serveCPU, serveRSS, serveMaxRSS, serveGoroutes, serveFDs, serveMaxFDs}
	for _, m := range serveCounters {
		out = append(out, m.f)
	}
	for _, m := range serveByLabels {
		out = append(out, m.f)
	}
	return out
}

// Describe implements prometheus.Collector.
func (c *ServeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, f := range serveFamilies() {
		ch <- f.desc
	}
}

// Collect implements prometheus.Collector. A source error fails the
// scrape (see the package documentation).
func (c *ServeCollector) Collect(ch chan<- prometheus.Metric) {
	var e emitter
	s, err := c.src.ServeSnapshot()
	if err != nil {
		e.err = fmt.Errorf("stormbench server: %w", err)
	} else {
		e.serve(&s)
	}
	e.send(ch, serveState.desc)
}

// serve emits every metric of s.
func (e *emitter) serve(s *ServeSnapshot) {
	if !s.Start.IsZero() {
		e.gauge(serveStart, float64(s.Start.UnixNano())/1e9)
	}
	e.gauge(serveWorkers, float64(s.Workers))
	e.gauge(serveOpen, float64(s.Open))
	for _, m := range serveCounters {
		e.counter(m.f, m.v(s))
	}
	for _, m := range serveByLabels {
		e.byLabel(m.f, m.v(s))
	}
	d := s.Detection
	if d.Count < 0 || d.Sum < 0 {
		e.fail(serveDetect, fmt.Errorf("count %d, sum %v: want both ≥ 0", d.Count, d.Sum))
	} else {
		m, err := prometheus.NewConstSummary(serveDetect.desc, uint64(d.Count), d.Sum.Seconds(),
			map[float64]float64{0.5: d.P50.Seconds(), 0.99: d.P99.Seconds()})
		e.add(serveDetect, m, err)
	}
	e.seconds(serveDetMax, d.Max)
	p := s.Process
	if p.CPUSeconds < 0 {
		e.fail(serveCPU, fmt.Errorf("CPU time %v s: counts never go below 0", p.CPUSeconds))
	} else {
		m, err := prometheus.NewConstMetric(serveCPU.desc, prometheus.CounterValue, p.CPUSeconds)
		e.add(serveCPU, m, err)
	}
	e.gauge(serveRSS, float64(p.RSSBytes))
	e.gauge(serveMaxRSS, float64(p.MaxRSSBytes))
	e.gauge(serveGoroutes, float64(p.Goroutines))
	e.gauge(serveFDs, float64(p.OpenFDs))
	if p.FileLimit > 0 {
		e.gauge(serveMaxFDs, float64(p.FileLimit))
	}
}
