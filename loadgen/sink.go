package loadgen

import (
	"time"

	"github.com/stormbench/stormbench/internal/measure"
)

// Sink receives the measurements of one event loop, in the vocabulary of
// package measure. loadgen calls a Sink only from the goroutine that owns
// the loop, so an implementation needs no locks; every method must be
// allocation-free once an interval, phase, storm or key has been seen,
// because it runs per frame and per attempt. All times are offsets from the
// run's start (monotonic clock).
type Sink interface {
	// Record records v in column c for the interval that holds at, as the
	// column's kind says: a count adds v, a gauge takes it (the loop's
	// state at the interval's end), a peak keeps the larger.
	Record(at time.Duration, c measure.Column, v int64)
	// RecordKey counts one event of family f with key k (a cause, a rule)
	// in the interval that holds at; the family's total column, if it
	// has one, counts it too.
	RecordKey(at time.Duration, f measure.Family, k int)
	// RecordText counts one event of family f keyed by text (a reason the
	// server stated, the rule of a framework's protocol a message broke)
	// in the interval that holds at; text is only valid during the call.
	RecordText(at time.Duration, f measure.Family, text []byte)
	// Observe records v into metric m's histogram of the current phase: a
	// duration in nanoseconds, or a plain number for a metric of counts.
	Observe(m measure.Metric, v int64)
	// Storm records what happened to the affected clients of storm k
	// (0-based) while its window was open.
	Storm(k int, e StormEvent)
	// Cut closes the current histogram interval (a phase such as "ramp",
	// "hold", "storm-1") and opens the next one named phase.
	Cut(at time.Duration, phase string)
}

// StormEventKind says what a StormEvent records.
type StormEventKind uint8

const (
	// StormAffected: a client whose open connection the fault hit (for
	// client-side faults, crashes and faults that hit whoever they hit,
	// where the loop knows).
	StormAffected StormEventKind = iota + 1
	// StormDetected: an affected client declared its connection dead,
	// Detect after T0, for Cause.
	StormDetected
	// StormAttempt: an attempt by an affected client between its
	// detection and its recovery.
	StormAttempt
	// StormRecovered: an affected client's next successful handshake;
	// Outage is T0 → handshake, Reconnect detection → handshake, Attempts
	// its attempts in between.
	StormRecovered
	// StormCounted: N events of Column (a column with a per-storm count)
	// happened within the storm's window.
	StormCounted
	// StormReady: an affected client ready again (joined, not just
	// upgraded); Outage is T0 → ready. Without a framework's join a
	// client is ready when it is open.
	StormReady
)

// StormEvent is one thing that happened to a storm's affected clients; the
// fields its Kind does not name are zero.
type StormEvent struct {
	Kind StormEventKind
	// Cause is why the connection was declared dead (StormDetected).
	Cause measure.Cause
	// Detect is T0 → detection (StormDetected).
	Detect time.Duration
	// Reconnect, Outage and Attempts describe a recovery (StormRecovered;
	// StormReady: Outage only).
	Reconnect, Outage time.Duration
	Attempts          int
	// Column and N are a per-storm count (StormCounted).
	Column measure.Column
	N      int64
}

// ConnectTiming splits the latency of one successful attempt into phases.
type ConnectTiming struct {
	// Total is dial start → handshake complete.
	Total time.Duration
	// DNS is dial start → the host's addresses known, when Resolved.
	DNS time.Duration
	// Resolved: the host was looked up for this attempt (a name resolved
	// per attempt); DNS is then its part even when zero.
	Resolved bool
	// TCP is the address known (dial start without a lookup) → TCP
	// connection established.
	TCP time.Duration
	// TLS is TCP established → TLS handshake done (wss only; zero for ws).
	TLS time.Duration
	// Upgrade is TCP established (wss: TLS done) → HTTP 101 received.
	Upgrade time.Duration
}

// Traffic classifies a frame for the byte and heartbeat counters.
type Traffic uint8

// Frame classes. Ping and Pong are heartbeat traffic, whichever side
// started it; Message is a broadcast message of the server's stream;
// Unrecognised is a data message the client has no rule for (a foreign
// server's own formats): counted, never taken for loss.
const (
	TrafficOther Traffic = iota
	TrafficPing
	TrafficPong
	TrafficMessage
	TrafficUnrecognised
	// TrafficApp is the clients' own messages and the server's acks.
	TrafficApp
	numTraffic
)

// trafficColumns says which columns a frame of each class counts in,
// besides the bytes: sent (a frame), received (a frame), and whether its
// bytes are heartbeat bytes.
var trafficColumns = [numTraffic]struct {
	sent, received []measure.Column
	heartbeat      bool
}{
	TrafficPing:         {sent: []measure.Column{measure.PingsSent}, heartbeat: true},
	TrafficPong:         {received: []measure.Column{measure.PongsReceived}, heartbeat: true},
	TrafficMessage:      {received: []measure.Column{measure.MessagesReceived}},
	TrafficUnrecognised: {received: []measure.Column{measure.MessagesOther}},
}

// statusCause maps a refused upgrade's HTTP status to its failure cause.
func statusCause(status int) measure.FailCause {
	switch status {
	case 401:
		return measure.FailUnauthorized
	case 403:
		return measure.FailForbidden
	case 429:
		return measure.FailTooManyRequests
	case 503:
		return measure.FailUnavailable
	}
	return measure.FailHTTPStatus
}
