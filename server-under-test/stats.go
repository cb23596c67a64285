package sut

import (
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/stormbench/stormbench/internal/wsframe"
)

// wsframeRules sizes the per-rule counters.
const wsframeRules = 32

// SeriesInterval is the width of one row of the server's time series.
const SeriesInterval = 100 * time.Millisecond

// maxSeriesRows bounds the series kept in memory (one hour at 100 ms); a
// longer-running server keeps the latest hour.
const maxSeriesRows = 36000

// SeriesColumns are the columns of Stats.Series, in order: t_s is the end
// of the interval in seconds since the server started (its epoch of
// stats), open is a gauge, the rest are counts within the interval.
var SeriesColumns = []string{"t_s", "accepts", "handshakes", "rejects", "disconnects", "open"}

// counters are the server's cumulative event counts; atomics because
// accept goroutines and event loops both update them.
type counters struct {
	accepts, handshakes, disconnects, open                   atomic.Int64
	rejectRate, rejectMaxConns, rejectBadRequest, rejectPath atomic.Int64
	handshakeErrors                                          atomic.Int64
	discClientClose, discEOF, discReset, discIdle, discFault atomic.Int64
	discWriteError, discProtocol, discShutdown, discSlow     atomic.Int64
	pingsSent, pongsReceived, appPings, clientPings          atomic.Int64
	messagesSent, replayed, bytesSent, bytesReceived         atomic.Int64
	faults                                                   atomic.Int64
	// protocol counts clients failed for breaking a rule of RFC 6455, by rule.
	protocol [wsframeRules]atomic.Int64
	// slots counts connections admitted and not yet gone: open ones plus
	// handshakes in progress, so that --max-conns holds during a storm.
	slots atomic.Int64
	// tlsErrors counts TLS handshakes that failed (wss); they are
	// handshake errors too.
	tlsErrors atomic.Int64
}

// disc returns the counter of one disconnect cause.
func (c *counters) disc(cause discCause) *atomic.Int64 {
	switch cause {
	case discClientClose:
		return &c.discClientClose
	case discEOF:
		return &c.discEOF
	case discReset:
		return &c.discReset
	case discIdle:
		return &c.discIdle
	case discFault:
		return &c.discFault
	case discWriteError:
		return &c.discWriteError
	case discProtocol:
		return &c.discProtocol
	case discShutdown:
		return &c.discShutdown
	}
	return &c.discSlow
}

// Counters is the JSON form of the server's cumulative counts.
type Counters struct {
	Accepts          int64            `json:"accepts"`
	Handshakes       int64            `json:"handshakes"`
	HandshakeErrors  int64            `json:"handshake_errors"`
	Rejects          int64            `json:"rejects"`
	RejectCauses     map[string]int64 `json:"reject_causes"`
	Disconnects      int64            `json:"disconnects"`
	DisconnectCauses map[string]int64 `json:"disconnect_causes"`
	Open             int64            `json:"open"`
	PingsSent        int64            `json:"pings_sent"`
	PongsReceived    int64            `json:"pongs_received"`
	AppPingsAnswered int64            `json:"app_pings_answered"`
	ClientPings      int64            `json:"client_pings_answered"`
	MessagesSent     int64            `json:"messages_sent"`
	MessagesReplayed int64            `json:"messages_replayed"`
	BytesSent        int64            `json:"bytes_sent"`
	BytesReceived    int64            `json:"bytes_received"`
	Faults           int64            `json:"faults"`
	ServerDetections int64            `json:"server_detections"`
	DetectionLatency LatencySummary   `json:"server_detection_latency_ms"`
	LastBroadcastSeq int64            `json:"last_broadcast_seq"`
	FaultsByKind     map[string]int64 `json:"faults_by_kind,omitempty"`
	// TLSErrors counts failed TLS handshakes (wss), part of HandshakeErrors.
	TLSErrors int64 `json:"tls_errors,omitempty"`
	// ProtocolErrors counts clients whose frames broke a rule of RFC 6455,
	// by rule; every one was failed with the rule's close code.
	ProtocolErrors    map[string]int64 `json:"protocol_errors,omitempty"`
	HandshakesPerLoop []int64          `json:"-"`
}

// LatencySummary is a small percentile summary in milliseconds.
type LatencySummary struct {
	Count int64   `json:"count"`
	P50   float64 `json:"p50"`
	P99   float64 `json:"p99"`
	Max   float64 `json:"max"`
}

// Stats is what GET /stats returns: counters, the per-100 ms series of
// the storm as the server saw it, and the process's own resource use.
type Stats struct {
	StartedUnixNs int64       `json:"started_unix_ns"`
	IntervalMs    int64       `json:"interval_ms"`
	Workers       int         `json:"workers"`
	Counters      Counters    `json:"counters"`
	Series        Series      `json:"series"`
	Process       ProcessInfo `json:"process"`
	// Detections holds the raw idle-timeout latencies histogram so that a
	// parent can merge workers exactly; omitted from public output.
	Detections *hdrhistogram.Snapshot `json:"detections,omitempty"`
}

// Series is a column-named table: Rows[i][j] is column Columns[j].
type Series struct {
	Columns []string    `json:"columns"`
	Rows    [][]float64 `json:"rows"`
}

// ProcessInfo is the resource use of the server's process(es).
type ProcessInfo struct {
	CPUSeconds   float64 `json:"cpu_seconds"`
	MaxRSSBytes  int64   `json:"max_rss_bytes"`
	RSSBytes     int64   `json:"rss_bytes"`
	Goroutines   int     `json:"goroutines"`
	OpenFDs      int     `json:"open_fds"`
	FileLimit    uint64  `json:"file_limit"`
	PIDs         []int   `json:"pids,omitempty"`
	PerWorkerRSS []int64 `json:"per_worker_rss_bytes,omitempty"`
}

// stats owns the counters, the sampler that turns them into a series, and
// the histogram of server-side detection latencies.
type stats struct {
	c     counters
	start time.Time

	mu     sync.Mutex
	rows   [][]float64
	last   [4]int64 // accepts, handshakes, rejects, disconnects at the last sample
	detect *hdrhistogram.Histogram
	faults map[string]int64
}

func newStats(start time.Time) *stats {
	return &stats{
		start:  start,
		detect: hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3),
		faults: map[string]int64{},
	}
}

func (s *stats) rejects() int64 {
	return s.c.rejectRate.Load() + s.c.rejectMaxConns.Load() + s.c.rejectBadRequest.Load() + s.c.rejectPath.Load()
}

// sample appends one row; the sampler calls it every SeriesInterval.
func (s *stats) sample(at time.Time) {
	cur := [4]int64{s.c.accepts.Load(), s.c.handshakes.Load(), s.rejects(), s.c.disconnects.Load()}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.rows) + 1
	row := []float64{
		float64(n) * SeriesInterval.Seconds(),
		float64(cur[0] - s.last[0]), float64(cur[1] - s.last[1]), float64(cur[2] - s.last[2]), float64(cur[3] - s.last[3]),
		float64(s.c.open.Load()),
	}
	s.last = cur
	if len(s.rows) >= maxSeriesRows {
		s.rows = s.rows[1:]
	}
	s.rows = append(s.rows, row)
}

func (s *stats) runSampler(stop <-chan struct{}) {
	// Ticks are aligned to the start so that row n covers ((n-1)·100ms, n·100ms].
	next := s.start.Add(SeriesInterval)
	for {
		t := time.NewTimer(time.Until(next))
		select {
		case <-stop:
			t.Stop()
			return
		case <-t.C:
		}
		s.sample(next)
		next = next.Add(SeriesInterval)
		for time.Until(next) < 0 { // fell behind: keep rows aligned to time
			s.sample(next)
			next = next.Add(SeriesInterval)
		}
	}
}

func (s *stats) recordDetection(d time.Duration) {
	s.mu.Lock()
	_ = s.detect.RecordValue(int64(d / time.Microsecond))
	s.mu.Unlock()
}

// recordProtocolError counts a client failed for breaking rule.
func (s *stats) recordProtocolError(rule wsframe.Rule) {
	if int(rule) < len(s.c.protocol) {
		s.c.protocol[rule].Add(1)
	}
}

// protocolErrors returns the per-rule counts, nil when there are none.
func (c *counters) protocolErrors() map[string]int64 {
	var m map[string]int64
	for _, r := range wsframe.Rules() {
		if n := c.protocol[r].Load(); n > 0 {
			if m == nil {
				m = map[string]int64{}
			}
			m[r.String()] = n
		}
	}
	return m
}

func (s *stats) recordFault(kind string) {
	s.c.faults.Add(1)
	s.mu.Lock()
	s.faults[kind]++
	s.mu.Unlock()
}

func summarize(h *hdrhistogram.Histogram) LatencySummary {
	ms := func(v int64) float64 { return float64(v) / 1000 }
	return LatencySummary{Count: h.TotalCount(), P50: ms(h.ValueAtQuantile(50)), P99: ms(h.ValueAtQuantile(99)), Max: ms(h.Max())}
}

func (s *stats) snapshot(workers int, lastSeq int64) Stats {
	c := &s.c
	s.mu.Lock()
	rows := make([][]float64, len(s.rows))
	copy(rows, s.rows)
	det := summarize(s.detect)
	snap := s.detect.Export()
	faults := make(map[string]int64, len(s.faults))
	for k, v := range s.faults {
		faults[k] = v
	}
	s.mu.Unlock()
	return Stats{
		StartedUnixNs: s.start.UnixNano(),
		IntervalMs:    SeriesInterval.Milliseconds(),
		Workers:       workers,
		Counters: Counters{
			Accepts:         c.accepts.Load(),
			Handshakes:      c.handshakes.Load(),
			HandshakeErrors: c.handshakeErrors.Load(),
			TLSErrors:       c.tlsErrors.Load(),
			Rejects:         s.rejects(),
			RejectCauses: map[string]int64{
				"accept_rate": c.rejectRate.Load(), "max_conns": c.rejectMaxConns.Load(),
				"bad_request": c.rejectBadRequest.Load(), "not_found": c.rejectPath.Load(),
			},
			Disconnects: c.disconnects.Load(),
			DisconnectCauses: map[string]int64{
				"client_close": c.discClientClose.Load(), "eof": c.discEOF.Load(), "reset": c.discReset.Load(),
				"idle_timeout": c.discIdle.Load(), "fault": c.discFault.Load(), "write_error": c.discWriteError.Load(),
				"protocol_error": c.discProtocol.Load(), "shutdown": c.discShutdown.Load(), "slow_consumer": c.discSlow.Load(),
			},
			Open:             c.open.Load(),
			PingsSent:        c.pingsSent.Load(),
			PongsReceived:    c.pongsReceived.Load(),
			AppPingsAnswered: c.appPings.Load(),
			ClientPings:      c.clientPings.Load(),
			MessagesSent:     c.messagesSent.Load(),
			MessagesReplayed: c.replayed.Load(),
			BytesSent:        c.bytesSent.Load(),
			BytesReceived:    c.bytesReceived.Load(),
			Faults:           c.faults.Load(),
			FaultsByKind:     faults,
			ServerDetections: det.Count,
			DetectionLatency: det,
			LastBroadcastSeq: lastSeq,
			ProtocolErrors:   c.protocolErrors(),
		},
		Series:     Series{Columns: SeriesColumns, Rows: rows},
		Process:    processInfo(),
		Detections: snap,
	}
}

// processInfo reads this process's resource use.
func processInfo() ProcessInfo {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	var lim syscall.Rlimit
	_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return ProcessInfo{
		CPUSeconds:  cpu.Seconds(),
		MaxRSSBytes: ru.Maxrss * 1024,
		RSSBytes:    currentRSS(),
		Goroutines:  goroutines(),
		OpenFDs:     openFDs(),
		FileLimit:   lim.Cur,
		PIDs:        []int{pid()},
	}
}
