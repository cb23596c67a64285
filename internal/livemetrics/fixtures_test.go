package livemetrics

import (
	"time"

	"github.com/stormbench/stormbench/internal/measure"
)

// runStartFixture is the wall-clock start of the fixed snapshots.
var runStartFixture = time.Date(2026, 11, 23, 6, 16, 16, 0, time.UTC)

// histOf returns a latency histogram of the given observations.
func histOf(ds ...time.Duration) Histogram {
	var h AtomicHistogram
	for _, d := range ds {
		h.Observe(d)
	}
	return h.Snapshot()
}

// runFixture is a run during its first storm: the figures of the README's
// sample run (Quick start), 10 000 clients hit by an abort.
func runFixture() RunSnapshot {
	return RunSnapshot{
		Start:      runStartFixture,
		Elapsed:    10*time.Second + 600*time.Millisecond,
		Phase:      "storm-1",
		Clients:    10000,
		Open:       7100,
		Connecting: 900,
		Waiting:    1990,
		GaveUp:     10,
		Counts:     runCounts(),
		Keys: measure.ByFamily[map[string]int64]{
			measure.FailureCauses: {
				"refused": 850, "timeout": 40, "reset": 10, "rejected": 0, "http_status": 0, "handshake": 0,
				"address": 0, "other": 0, "canceled": 0, "local": 0, "unreachable": 0,
			},
			measure.DisconnectCauses: {
				"close_frame": 0, "eof": 0, "reset": 10000, "heartbeat_timeout": 0, "write_error": 0,
				"client_abort": 0, "drain": 0, "protocol_error": 1, "send_overflow": 0,
			},
			measure.ProtocolErrors: {"reserved_bits": 1, "invalid_utf8": 0},
		},
		Storm: StormSnapshot{
			Number: 1, WindowOpen: true, T0: 10107 * time.Millisecond,
			Affected: 10000, Detected: 10000, Recovered: 7100,
		},
		Harness: HarnessSnapshot{Sampled: true, TimerLatenessP99: 14500 * time.Microsecond, LoopBusy: 0.75},
		Latency: measure.ByMetric[Histogram]{
			measure.ConnectLatency:   histOf(300*time.Microsecond, 700*time.Microsecond, 2*time.Millisecond, 40*time.Millisecond),
			measure.DetectLatency:    histOf(179*time.Millisecond, 302*time.Millisecond),
			measure.Outage:           histOf(667*time.Millisecond, 1240*time.Millisecond, 200*time.Second),
			measure.ReconnectLatency: histOf(500*time.Millisecond, 1080*time.Millisecond),
			measure.HeartbeatRTT:     histOf(370*time.Microsecond, 136*time.Millisecond),
		},
	}
}

// serveFixture is a server that has been through one abort.
func serveFixture() ServeSnapshot {
	return ServeSnapshot{
		Start:           runStartFixture.Add(-time.Second),
		Workers:         2,
		Accepts:         20010,
		Handshakes:      20000,
		HandshakeErrors: 2,
		Rejects:         map[string]int64{"accept_rate": 5, "max_conns": 0, "bad_request": 1, "not_found": 2},
		Disconnects: map[string]int64{
			"client_close": 10000, "eof": 0, "reset": 0, "idle_timeout": 3, "fault": 10000,
			"write_error": 0, "protocol_error": 0, "shutdown": 0, "slow_consumer": 0,
		},
		Open:                7000,
		PingsSent:           16952,
		PongsReceived:       16668,
		AppPingsAnswered:    12,
		ClientPingsAnswered: 34,
		MessagesSent:        90000,
		MessagesReplayed:    68,
		BytesSent:           4 << 20,
		BytesReceived:       1 << 20,
		Faults:              map[string]int64{"close": 0, "restart": 0, "abort": 1, "blackhole": 0},
		ProtocolErrors:      map[string]int64{},
		Detection: LatencySummary{
			Count: 3, Sum: 46500 * time.Millisecond,
			P50: 15 * time.Second, P99: 16500 * time.Millisecond, Max: 16500 * time.Millisecond,
		},
		Process: ProcessSnapshot{
			CPUSeconds: 5.5, RSSBytes: 19 << 20, MaxRSSBytes: 20 << 20,
			Goroutines: 42, OpenFDs: 7012, FileLimit: 20000,
		},
	}
}

// fixed returns a source that always answers s.
func fixedRun(s RunSnapshot) RunSource {
	return RunSourceFunc(func() (RunSnapshot, error) { return s, nil })
}

func fixedServe(s ServeSnapshot) ServeSource {
	return ServeSourceFunc(func() (ServeSnapshot, error) { return s, nil })
}

// runCounts is the fixture's count columns.
func runCounts() measure.ByColumn[int64] {
	var c measure.ByColumn[int64]
	c[measure.Attempts], c[measure.Connects], c[measure.Reconnects] = 18000, 17100, 7100
	c[measure.MessagesReceived], c[measure.MessagesLost], c[measure.MessagesDuplicated] = 89932, 3, 1
	c[measure.BytesSent], c[measure.BytesReceived] = 237363, 166707
	return c
}
