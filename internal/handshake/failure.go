package handshake

// Failure names why a response did not complete the opening handshake. It
// implements error, so that Parse returns it without allocating; callers
// map it to their own failure causes.
type Failure uint8

// Failures Parse reports (§4.1, the client's checks of the server's
// response).
const (
	// FailNone is the zero value: no failure.
	FailNone Failure = iota
	// ErrStatus: the status is not 101; Response.Status has the code and
	// Response.RetryAfter the server's Retry-After, if it sent one.
	ErrStatus
	// ErrUpgradeHeader: Upgrade missing, repeated, or not "websocket".
	ErrUpgradeHeader
	// ErrConnectionHeader: no Connection header has the token "upgrade".
	ErrConnectionHeader
	// ErrAccept: Sec-WebSocket-Accept missing, repeated, or not the value
	// the key demands (§4.2.2).
	ErrAccept
	// ErrExtension: Sec-WebSocket-Extensions present, though the client
	// offers no extension.
	ErrExtension
	// ErrSubprotocol: Sec-WebSocket-Protocol repeated, or not one of the
	// subprotocols offered (present at all when none were offered).
	ErrSubprotocol
	// ErrMalformed: not an HTTP/1.1 response head: a bad status line, a
	// 101 from an HTTP/1.0 server, a header line that is not
	// "token: value", an obs-fold continuation line (RFC 7230 §3.2.4) or a
	// control character in a value.
	ErrMalformed
	// ErrTooLarge: no end of the head within MaxHead bytes.
	ErrTooLarge
	numFailures
)

var failureNames = [numFailures]string{
	"", "status", "upgrade_header", "connection_header", "accept",
	"extension", "subprotocol", "malformed", "too_large",
}

// String returns the failure's name as results files would use it.
func (f Failure) String() string {
	if f < numFailures {
		return failureNames[f]
	}
	return "unknown"
}

// Error implements error.
func (f Failure) Error() string { return "websocket handshake: " + f.String() }

// Failures lists every failure (FailNone excluded), for reports with
// stable columns.
func Failures() []Failure {
	out := make([]Failure, 0, numFailures-1)
	for f := Failure(1); f < numFailures; f++ {
		out = append(out, f)
	}
	return out
}
