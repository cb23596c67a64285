package livemetrics

import "time"

// ServeSnapshot is the state of a server-under-test at one instant, as the
// command assembles it from the server's Stats (the sum over its worker
// processes when it has several). Counters are cumulative since the server
// started. Labelled counts are keyed by the names the server's /stats
// uses; every key is a label value (lower-case snake_case, at most
// MaxLabelValues per map), and every value of the enum should be present,
// zeros included, so that each series exists from the first scrape.
type ServeSnapshot struct {
	// Start is when the server started; zero omits
	// stormbench_server_start_time_seconds.
	Start time.Time
	// Workers is the number of server processes (1 without --workers).
	Workers int

	// Accepts counts TCP connections accepted.
	Accepts int64
	// Handshakes counts completed WebSocket handshakes.
	Handshakes int64
	// HandshakeErrors counts upgrades that failed for a reason other than
	// a reject (an invalid request, a timeout, a connection lost midway).
	HandshakeErrors int64
	// Rejects counts connections refused before the handshake, by cause
	// (accept_rate, max_conns, bad_request, not_found).
	Rejects map[string]int64
	// Disconnects counts connections that ended, by cause (client_close,
	// eof, reset, idle_timeout, fault, …).
	Disconnects map[string]int64
	// Open is the number of open WebSocket connections.
	Open int64
	// PingsSent counts ping frames the server sent; PongsReceived the
	// pongs that came back.
	PingsSent, PongsReceived int64
	// AppPingsAnswered counts application-level pings the server answered;
	// ClientPingsAnswered the clients' ping frames it answered with a pong.
	AppPingsAnswered, ClientPingsAnswered int64
	// MessagesSent counts broadcast messages sent; MessagesReplayed those
	// sent again to a client resuming the stream.
	MessagesSent, MessagesReplayed int64
	// BytesSent and BytesReceived count WebSocket bytes on the wire.
	BytesSent, BytesReceived int64
	// Faults counts faults applied through the control API, by kind
	// (close, restart, abort, blackhole).
	Faults map[string]int64
	// ProtocolErrors counts clients failed for breaking a rule of RFC
	// 6455, by rule (wsframe.Rule.String).
	ProtocolErrors map[string]int64

	// Detection summarises how long the server took to notice dead
	// clients (its idle timeout).
	Detection LatencySummary
	// Process is the resource use of the server's process(es).
	Process ProcessSnapshot
}

// LatencySummary is a latency distribution as a few quantiles, the form
// the server's /stats gives (convert its milliseconds to durations).
type LatencySummary struct {
	// Count is the number of observations.
	Count int64
	// Sum is their sum; the server's detection histogram gives it as
	// mean × count.
	Sum time.Duration
	// P50, P99 and Max are the median, the 99th percentile and the
	// largest observation.
	P50, P99, Max time.Duration
}

// ProcessSnapshot is the resource use of the server's process(es).
type ProcessSnapshot struct {
	// CPUSeconds is user plus system CPU time.
	CPUSeconds float64
	// RSSBytes is the resident set size now; MaxRSSBytes its peak.
	RSSBytes, MaxRSSBytes int64
	// Goroutines is the number of goroutines.
	Goroutines int
	// OpenFDs is the number of open file descriptors; FileLimit the soft
	// limit on them (0: unknown, omitted).
	OpenFDs   int
	FileLimit uint64
}

// ServeSource returns the server's current state. Like RunSource it is
// called once per scrape, possibly concurrently.
type ServeSource interface {
	// ServeSnapshot returns the state now. An error (a worker process
	// that died or did not answer) fails the scrape.
	ServeSnapshot() (ServeSnapshot, error)
}

// ServeSourceFunc adapts a function to ServeSource.
type ServeSourceFunc func() (ServeSnapshot, error)

// ServeSnapshot implements ServeSource.
func (f ServeSourceFunc) ServeSnapshot() (ServeSnapshot, error) { return f() }
