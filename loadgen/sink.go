package loadgen

import (
	"time"

	"github.com/stormbench/stormbench/internal/wsframe"
)

// Sink receives the measurements of one event loop. loadgen calls a Sink only
// from the goroutine that owns the loop, so an implementation needs no locks;
// every method must be allocation-free because it runs per frame and per
// attempt. All times are offsets from the run's start (monotonic clock).
type Sink interface {
	// Attempt records a connection attempt (dial start) and how late it
	// started compared with its scheduled time.
	Attempt(at, lateness time.Duration)
	// Connected records a completed WebSocket handshake; at is the dial
	// start, so that the attempt and its outcome land in the same interval.
	Connected(at time.Duration, c ConnectTiming)
	// Failed records a failed attempt (dial or handshake) by cause.
	Failed(at time.Duration, cause FailCause)
	// Disconnected records the end of an open connection and why the
	// client declared it dead (or closed it itself).
	Disconnected(at time.Duration, cause Cause)
	// Reconnected records a client's first successful handshake after it
	// lost a connection: latency from detection, and the attempts it took.
	Reconnected(at, latency time.Duration, attempts int)
	// GaveUp records a client that exhausted its retries.
	GaveUp(at time.Duration)
	// Backoff records one backoff delay drawn from the reconnect policy.
	Backoff(d time.Duration)
	// RetryAfter records a refused upgrade (429, 503) that carried a
	// Retry-After of d, and whether the client waited for it
	// (--respect-retry-after) where its policy would have retried sooner.
	RetryAfter(at, d time.Duration, honoured bool)
	// Lateness records how late a scheduled timer (ping, timeout, backoff
	// wake-up) fired; attempt lateness arrives through Attempt.
	Lateness(d time.Duration)
	// Sent records one frame written to the wire, header included.
	Sent(at time.Duration, kind Traffic, bytes int)
	// Received records one frame read from the wire, header included.
	Received(at time.Duration, kind Traffic, bytes int)
	// HeartbeatRTT records the time from a ping to its matching pong.
	HeartbeatRTT(d time.Duration)
	// MessagesLost records a gap of n sequence numbers in the broadcast
	// stream; storm is the storm the gap belongs to, or -1.
	MessagesLost(at time.Duration, storm, n int)
	// MessageDuplicated records one repeated sequence number.
	MessageDuplicated(at time.Duration, storm int)
	// SeqRestart records a new connection whose first sequence number
	// went backwards: the server's sequence restarted, or it does not
	// resume. Not counted as duplicates.
	SeqRestart(at time.Duration, storm int)
	// PongUntimed records a pong that could not be timed: the echoed time
	// field was missing, or not a time this client sent.
	PongUntimed(at time.Duration)
	// AppProduced records a message a client produced (Config.Send).
	AppProduced(at time.Duration)
	// AppSent records a message written to the wire (a redelivery too)
	// after it waited wait since it was produced; flushed: it was produced
	// before the connection it leaves on opened (a backlog flushed after a
	// reconnect).
	AppSent(at, wait time.Duration, flushed bool)
	// AppAcked records an ack: delivery is produced → acked (the outage
	// included), queued the part of it spent waiting to be sent. dup: the
	// server had received it before, or the ack settled nothing (then the
	// latencies are zero and not recorded).
	AppAcked(at time.Duration, storm int, delivery, queued time.Duration, dup bool)
	// AppDropped records a message dropped by a full send queue.
	AppDropped(at time.Duration, storm int)
	// AppLost records n messages that will never be acknowledged: sent on
	// a connection that died (without Redeliver), or skipped by the acks.
	AppLost(at time.Duration, storm, n int)
	// AppQueue records the messages the loop's clients hold waiting at
	// the end of an interval.
	AppQueue(at time.Duration, waiting int)
	// DirectReceived records one of the server's direct messages (its
	// per-client offline queue) received in order, latency after the
	// server produced it.
	DirectReceived(at time.Duration, latency time.Duration)
	// DirectLost records a gap of n direct message ids.
	DirectLost(at time.Duration, storm, n int)
	// DirectDuplicated records a direct message received again.
	DirectDuplicated(at time.Duration, storm int)
	// Gauges records the client states at the end of an interval.
	Gauges(at time.Duration, open, connecting, waiting int)
	// StormAffected records a client whose open connection a fault hit
	// (used for client-side faults and crashes, where the loop knows).
	StormAffected(storm int)
	// StormDetected records an affected client declaring its connection
	// dead: latency is T0 → detection.
	StormDetected(storm int, latency time.Duration, cause Cause)
	// StormAttempt records an attempt by an affected client between its
	// detection and its recovery.
	StormAttempt(storm int)
	// StormRecovered records an affected client's next successful
	// handshake: outage is T0 → handshake, reconnect is detection →
	// handshake, attempts counts its attempts in between.
	StormRecovered(storm int, reconnect, outage time.Duration, attempts int)
	// ProtocolError records the RFC 6455 rule a server broke; the
	// connection's end is recorded separately with Disconnected
	// (CauseProtocolError).
	ProtocolError(at time.Duration, rule wsframe.Rule)
	// LoopBusy records how long the loop was busy (not waiting for events
	// or timers) within the interval that holds at, its longest stretch of
	// work without a pause there (an event that became ready during it
	// waited at most that long), and the CPU time its thread got while
	// busy (busy time without CPU is time the machine ran something else).
	// The loop reports every interval.
	LoopBusy(at, busy, longest, cpu time.Duration)
	// ProcessCPU records the CPU time the whole process used within the
	// interval that holds at: its loops and every other thread (TLS relays
	// of wss connections, the garbage collector, the runtime). One loop
	// per process reports it, every interval; the part outside the loops
	// tells a harness starved by its own work from one starved by other
	// processes.
	ProcessCPU(at, cpu time.Duration)
	// Cut closes the current histogram interval (a phase such as "ramp",
	// "hold", "storm-1") and opens the next one named phase.
	Cut(at time.Duration, phase string)
}

// ConnectTiming splits the latency of one successful attempt into phases.
type ConnectTiming struct {
	// Total is dial start → handshake complete.
	Total time.Duration
	// TCP is dial start → TCP connection established.
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
)

// Cause says why a client declared its connection dead.
type Cause uint8

// Detection causes (docs/metrics.md), plus the client's own closes.
const (
	// CauseCloseFrame: the server sent a close frame (RFC 6455 §5.5.1).
	CauseCloseFrame Cause = iota + 1
	// CauseEOF: the connection ended with a FIN and no close frame.
	CauseEOF
	// CauseReset: the connection ended with an RST (ECONNRESET).
	CauseReset
	// CauseHeartbeatTimeout: nothing arrived within the heartbeat timeout.
	CauseHeartbeatTimeout
	// CauseWriteError: a write to the socket failed (EPIPE and similar).
	CauseWriteError
	// CauseClientAbort: the harness aborted the socket itself (fault "reset").
	CauseClientAbort
	// CauseDrain: the client closed the connection at the end of the run.
	CauseDrain
	// CauseProtocolError: the server broke a rule of RFC 6455; the client
	// failed the connection (the rule is recorded with Sink.ProtocolError).
	CauseProtocolError
	// CauseSendOverflow: the server stopped reading and the client's
	// bounded send buffer overflowed.
	CauseSendOverflow
	numCauses
)

var causeNames = [numCauses]string{"", "close_frame", "eof", "reset", "heartbeat_timeout", "write_error", "client_abort", "drain", "protocol_error", "send_overflow"}

// String returns the cause's name as used in results files.
func (c Cause) String() string {
	if c < numCauses && c > 0 {
		return causeNames[c]
	}
	return "unknown"
}

// FailCause says why a connection attempt failed.
type FailCause uint8

// Attempt failure causes.
const (
	// FailRefused: the TCP connect was refused (ECONNREFUSED).
	FailRefused FailCause = iota + 1
	// FailTimeout: dial and handshake did not finish within the connect timeout.
	FailTimeout
	// FailReset: the connection was reset during the handshake.
	FailReset
	// FailUnavailable: the server answered the upgrade with HTTP 503
	// (overloaded, or shedding load on purpose).
	FailUnavailable
	// FailHTTPStatus: the server answered with a non-101 status that has
	// no cause of its own.
	FailHTTPStatus
	// FailHandshake: the handshake response was not a valid upgrade.
	FailHandshake
	// FailAddress: no local address or port was available (EADDRNOTAVAIL).
	FailAddress
	// FailOther: any other error.
	FailOther
	// FailCanceled: the run ended (drain or interrupt) while the attempt was in flight.
	FailCanceled
	// FailLocal: the load generator itself ran out of a resource (file
	// descriptors, socket buffers): the harness's limit, not the server's.
	FailLocal
	// FailUnreachable: no route to the server (ENETUNREACH, EHOSTUNREACH).
	FailUnreachable
	// FailUnauthorized: HTTP 401, the credentials (a token header) were
	// missing, wrong or expired.
	FailUnauthorized
	// FailForbidden: HTTP 403, the credentials were refused (or the Origin).
	FailForbidden
	// FailTooManyRequests: HTTP 429, the server rate-limits upgrades.
	FailTooManyRequests
	// FailTLS: the TLS handshake failed (wss): a certificate that did not
	// verify (unknown authority, wrong name, expired), a client
	// certificate the server refused, no common version or cipher, any
	// alert (RFC 8446 §6.2).
	FailTLS
	numFailCauses
)

var failNames = [numFailCauses]string{"", "refused", "timeout", "reset", "unavailable", "http_status", "handshake", "address", "other", "canceled", "local", "unreachable",
	"unauthorized", "forbidden", "too_many_requests", "tls"}

// statusCause maps a refused upgrade's HTTP status to its failure cause.
func statusCause(status int) FailCause {
	switch status {
	case 401:
		return FailUnauthorized
	case 403:
		return FailForbidden
	case 429:
		return FailTooManyRequests
	case 503:
		return FailUnavailable
	}
	return FailHTTPStatus
}

// String returns the failure cause's name as used in results files.
func (c FailCause) String() string {
	if c < numFailCauses && c > 0 {
		return failNames[c]
	}
	return "unknown"
}

// Causes lists every detection cause, for reports that want stable columns.
func Causes() []Cause {
	out := make([]Cause, 0, numCauses-1)
	for c := Cause(1); c < numCauses; c++ {
		out = append(out, c)
	}
	return out
}

// FailCauses lists every attempt failure cause.
func FailCauses() []FailCause {
	out := make([]FailCause, 0, numFailCauses-1)
	for c := FailCause(1); c < numFailCauses; c++ {
		out = append(out, c)
	}
	return out
}
