package sut

import (
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/stormbench/stormbench/internal/fault"
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
// stats), open is a gauge, the rest are counts within the interval;
// messages_received counts the clients' messages received (not
// duplicates): its peak after a storm is the flush burst; takeovers
// counts sessions taken over (duplicate sessions), so that a run can
// attribute them to its storms.
var SeriesColumns = []string{"t_s", "accepts", "handshakes", "rejects", "disconnects", "open", "messages_received", "takeovers"}

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
	// Clients' messages (ack.go) and sessions (session.go).
	messagesReceived, messagesDuplicate, acksSent, sendsInvalid, dedupSkipped atomic.Int64
	sessions, sessionsCreated, sessionsExpired, discTakeover                  atomic.Int64
	// Direct messages (direct.go); directQueued is a gauge of messages
	// waiting for their client, directQueuedPeak its highest value.
	directProduced, directSent, directRedelivered, directDropped atomic.Int64
	directQueued, directQueuedPeak                               atomic.Int64
}

// addQueued moves the gauge of waiting direct messages and its peak.
func (c *counters) addQueued(d int64) {
	if d == 0 {
		return
	}
	n := c.directQueued.Add(d)
	for p := c.directQueuedPeak.Load(); n > p && !c.directQueuedPeak.CompareAndSwap(p, n); p = c.directQueuedPeak.Load() {
	}
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
	case discTakeover:
		return &c.discTakeover
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
	Messages
	Sessions
	Direct
}

// Messages counts the clients' own messages (type send): each is acked;
// one whose (client, id) the session had received before is a duplicate,
// acked with "dup":1 and not counted as received.
type Messages struct {
	MessagesReceived  int64 `json:"messages_received"`
	MessagesDuplicate int64 `json:"messages_duplicate"`
	AcksSent          int64 `json:"acks_sent"`
	// SendsInvalid counts send messages without a usable id or client:
	// not acked.
	SendsInvalid int64 `json:"sends_invalid"`
	// DedupSkipped counts ids never received that fell below the
	// de-duplication window (DedupWindow) when a client jumped ahead: a
	// late copy of one would be acked as a duplicate.
	DedupSkipped int64 `json:"dedup_skipped"`
}

// Sessions counts the per-client-ID sessions, their takeovers and the
// zombies the idle timeout closed.
type Sessions struct {
	Sessions        int64 `json:"sessions"`
	SessionsCreated int64 `json:"sessions_created"`
	SessionsExpired int64 `json:"sessions_expired"`
	// Takeovers counts connections closed with CloseSessionTakenOver
	// because a newer one of the same client ID arrived;
	// TakeoverSilence is how long they had received nothing.
	Takeovers       int64          `json:"takeovers"`
	TakeoverSilence LatencySummary `json:"takeover_silence_ms"`
	// ZombiesTerminated counts connections closed by --idle-timeout
	// (disconnect cause idle_timeout).
	ZombiesTerminated int64 `json:"zombies_terminated"`
	// SessionBytes and QueuedMessageBytes are the measured heap cost of
	// one session and of one kept direct message (TestSessionMemory);
	// MemoryEstimateBytes applies them to the current counts.
	SessionBytes        int64 `json:"session_bytes_estimate"`
	QueuedMessageBytes  int64 `json:"queued_message_bytes_estimate"`
	MemoryEstimateBytes int64 `json:"sessions_memory_bytes_estimate"`
}

// Direct counts the server's direct messages (--direct-rate): produced,
// sent (redelivered ones included), waiting in offline queues now and at
// most, and dropped (evicted unsent at the queue bound, or with an
// expired session).
type Direct struct {
	DirectProduced    int64 `json:"direct_produced"`
	DirectSent        int64 `json:"direct_sent"`
	DirectRedelivered int64 `json:"direct_redelivered"`
	DirectQueued      int64 `json:"direct_queued"`
	DirectQueuedPeak  int64 `json:"direct_queued_peak"`
	DirectDropped     int64 `json:"direct_dropped"`
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
	// Takeovers holds the raw histogram of takeover silences, likewise.
	Takeovers *hdrhistogram.Snapshot `json:"takeovers,omitempty"`
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
	last   [6]int64 // accepts, handshakes, rejects, disconnects, messages received, takeovers at the last sample
	detect *hdrhistogram.Histogram
	// takeover holds the silences of taken-over connections (µs).
	takeover *hdrhistogram.Histogram
	faults   map[string]int64
}

func newStats(start time.Time) *stats {
	return &stats{
		start:    start,
		detect:   hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3),
		takeover: hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3),
		faults:   map[string]int64{},
	}
}

func (s *stats) rejects() int64 {
	return s.c.rejectRate.Load() + s.c.rejectMaxConns.Load() + s.c.rejectBadRequest.Load() + s.c.rejectPath.Load()
}

// sample appends one row; the sampler calls it every SeriesInterval.
func (s *stats) sample(at time.Time) {
	cur := [6]int64{s.c.accepts.Load(), s.c.handshakes.Load(), s.rejects(), s.c.disconnects.Load(), s.c.messagesReceived.Load(), s.c.discTakeover.Load()}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.rows) + 1
	row := []float64{
		float64(n) * SeriesInterval.Seconds(),
		float64(cur[0] - s.last[0]), float64(cur[1] - s.last[1]), float64(cur[2] - s.last[2]), float64(cur[3] - s.last[3]),
		float64(s.c.open.Load()),
		float64(cur[4] - s.last[4]),
		float64(cur[5] - s.last[5]),
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

// recordTakeover counts a session takeover and how long the replaced
// connection had been silent.
func (s *stats) recordTakeover(silent time.Duration) {
	s.mu.Lock()
	_ = s.takeover.RecordValue(max(int64(silent/time.Microsecond), 1))
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

func (s *stats) recordFault(kind fault.Kind) {
	s.c.faults.Add(1)
	s.mu.Lock()
	s.faults[string(kind)]++
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
	tk := summarize(s.takeover)
	tkSnap := s.takeover.Export()
	faults := make(map[string]int64, len(s.faults))
	for k, v := range s.faults {
		faults[k] = v
	}
	s.mu.Unlock()
	out := Stats{
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
				"takeover": c.discTakeover.Load(),
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
			Messages: Messages{
				MessagesReceived: c.messagesReceived.Load(), MessagesDuplicate: c.messagesDuplicate.Load(),
				AcksSent: c.acksSent.Load(), SendsInvalid: c.sendsInvalid.Load(), DedupSkipped: c.dedupSkipped.Load(),
			},
			Sessions: Sessions{
				Sessions: c.sessions.Load(), SessionsCreated: c.sessionsCreated.Load(), SessionsExpired: c.sessionsExpired.Load(),
				Takeovers: tk.Count, TakeoverSilence: tk, ZombiesTerminated: c.discIdle.Load(),
			},
			Direct: Direct{
				DirectProduced: c.directProduced.Load(), DirectSent: c.directSent.Load(), DirectRedelivered: c.directRedelivered.Load(),
				DirectQueued: c.directQueued.Load(), DirectQueuedPeak: c.directQueuedPeak.Load(), DirectDropped: c.directDropped.Load(),
			},
		},
		Series:     Series{Columns: SeriesColumns, Rows: rows},
		Process:    processInfo(),
		Detections: snap,
		Takeovers:  tkSnap,
	}
	out.Counters.Sessions.estimateMemory(out.Counters.Direct.DirectQueued)
	return out
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
