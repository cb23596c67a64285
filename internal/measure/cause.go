package measure

// Cause says why a client declared its connection dead (or closed it).
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
	// failed the connection (the rule is counted in ProtocolErrors).
	CauseProtocolError
	// CauseSendOverflow: the server stopped reading and the client's
	// bounded send buffer overflowed.
	CauseSendOverflow
	// CauseJoinRefused: the server refused the client's join in a
	// framework's protocol (a rejected subscription, a CONNACK error); the
	// client closed the connection (the reason is counted in
	// join_refusals).
	CauseJoinRefused
	// CauseJoinTimeout: the connection opened but the join of a
	// framework's protocol (a CONNACK, a connect reply, the subscription
	// confirmed) did not finish within the connect timeout, counted from
	// the attempt's start as the framework's clients count it; the client
	// closed the connection and reconnects.
	CauseJoinTimeout
	numCauses
)

var causeNames = [numCauses]string{"", "close_frame", "eof", "reset", "heartbeat_timeout", "write_error", "client_abort", "drain", "protocol_error", "send_overflow", "join_refused", "join_timeout"}

// String returns the cause's name as used in results files.
func (c Cause) String() string {
	if c < numCauses && c > 0 {
		return causeNames[c]
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
	// FailDNS: the URL's host did not resolve (no answer, no address,
	// the resolver's error or its time out), resolved per attempt.
	FailDNS
	numFailCauses
)

var failNames = [numFailCauses]string{"", "refused", "timeout", "reset", "unavailable", "http_status", "handshake", "address", "other", "canceled", "local", "unreachable",
	"unauthorized", "forbidden", "too_many_requests", "tls", "dns"}

// String returns the failure cause's name as used in results files.
func (c FailCause) String() string {
	if c < numFailCauses && c > 0 {
		return failNames[c]
	}
	return "unknown"
}

// FailCauses lists every attempt failure cause.
func FailCauses() []FailCause {
	out := make([]FailCause, 0, numFailCauses-1)
	for c := FailCause(1); c < numFailCauses; c++ {
		out = append(out, c)
	}
	return out
}
