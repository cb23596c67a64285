package handshake

import (
	"bytes"
	"time"
)

// MaxHead bounds the response head (status line, header lines and the
// empty line): a server that has not finished it within 8 KiB is not
// answering a WebSocket request.
const MaxHead = 8 << 10

// Expect is what a response to one request is checked against.
type Expect struct {
	// Accept is the Sec-WebSocket-Accept the request's key demands.
	Accept Accept
	// Protocols are the subprotocols the request offered.
	Protocols []string
	// Now is the wall-clock time an HTTP-date Retry-After is measured
	// from; the zero value means time.Now(), read only if such a date
	// arrives.
	Now time.Time
}

// Response is what Parse learned from a complete response head.
type Response struct {
	// Status is the status code (101 for an upgrade).
	Status int
	// Protocol is the index in Expect.Protocols of the subprotocol the
	// server selected, or -1 when it selected none.
	Protocol int
	// RetryAfter is the delay a non-101 response asked for, when
	// HasRetryAfter: delta-seconds, or an HTTP-date minus Expect.Now
	// (0 if that date has passed). RFC 7231 §7.1.3.
	RetryAfter    time.Duration
	HasRetryAfter bool
}

// Parse reads the response head at the start of buf, the bytes received
// so far. It returns
//
//   - n == 0 and a nil error while the head is incomplete: read more and
//     call Parse again with everything received;
//   - n > 0, the length of the head, and a nil error for a valid 101
//     (§4.1): buf[n:] are WebSocket frames the server sent behind it;
//   - n > 0, Response.Status and ErrStatus for another status, with
//     Response.RetryAfter when the server sent one;
//   - a Failure for a response that breaks §4.1 (n > 0 once the head was
//     complete), or ErrMalformed or ErrTooLarge as soon as the bytes
//     cannot begin a head that fits in MaxHead (n == 0).
//
// Checks of a 101: Upgrade is "websocket" (one line, any case); some
// Connection line lists the token "upgrade"; Sec-WebSocket-Accept is
// exp.Accept, once; no Sec-WebSocket-Extensions, since the client offers
// none; Sec-WebSocket-Protocol, if present, is once and exactly one of
// exp.Protocols. Header names are case-insensitive and values trimmed
// (RFC 7230 §3.2). The first failing check, in header order, is reported.
// exp must not be nil. Parse keeps no state between calls: it reads the
// head from the start each time. It does not allocate (but for a
// Retry-After in an obsolete date format).
func Parse(buf []byte, exp *Expect) (r Response, n int, err error) {
	r.Protocol = -1
	head := buf
	if len(head) > MaxHead {
		head = head[:MaxHead]
	}
	n = headEnd(head)
	if n == 0 {
		if !plausibleStart(head) {
			return r, 0, ErrMalformed
		}
		if len(buf) >= MaxHead {
			return r, 0, ErrTooLarge
		}
		return r, 0, nil
	}
	line, rest := nextLine(head[:n])
	minor, status, ok := parseStatusLine(line)
	if !ok {
		return r, n, ErrMalformed
	}
	r.Status = status
	if status != 101 {
		r.RetryAfter, r.HasRetryAfter = findRetryAfter(rest, exp)
		return r, n, ErrStatus
	}
	if minor < 1 {
		// RFC 6455 is HTTP/1.1 or later; HTTP/1.0 has no 101.
		return r, n, ErrMalformed
	}
	return r, n, checkUpgrade(rest, exp, &r)
}

// Bits of the fields checkUpgrade has seen.
const (
	seenUpgrade = 1 << iota
	seenConnection
	seenAccept
	seenProtocol
)

// checkUpgrade applies §4.1's checks to the header lines of a 101.
func checkUpgrade(lines []byte, exp *Expect, r *Response) error {
	var seen uint8
	for {
		var line []byte
		line, lines = nextLine(lines)
		if len(line) == 0 {
			break
		}
		// obs-fold: this line starts with whitespace, or the next does
		// and would continue this one's value.
		if isOWS(line[0]) || len(lines) > 0 && isOWS(lines[0]) {
			return ErrMalformed
		}
		name, v, ok := splitField(line)
		if !ok {
			return ErrMalformed
		}
		switch {
		case equalLower(name, "upgrade"):
			if seen&seenUpgrade != 0 || !equalLower(v, "websocket") {
				return ErrUpgradeHeader
			}
			seen |= seenUpgrade
		case equalLower(name, "connection"):
			// A list, possibly over several lines (RFC 7230 §3.2.2, §6.1).
			if hasToken(v, "upgrade") {
				seen |= seenConnection
			}
		case equalLower(name, "sec-websocket-accept"):
			if seen&seenAccept != 0 || !bytes.Equal(v, exp.Accept[:]) {
				return ErrAccept
			}
			seen |= seenAccept
		case equalLower(name, "sec-websocket-extensions"):
			return ErrExtension
		case equalLower(name, "sec-websocket-protocol"):
			// The server selects one of the offered values, or none by
			// leaving the field out (§4.2.2 item 5.5, §4.1).
			if seen&seenProtocol != 0 {
				return ErrSubprotocol
			}
			seen |= seenProtocol
			r.Protocol = -1
			for i, p := range exp.Protocols {
				if string(v) == p {
					r.Protocol = i
					break
				}
			}
			if r.Protocol < 0 {
				return ErrSubprotocol
			}
		}
	}
	switch {
	case seen&seenUpgrade == 0:
		return ErrUpgradeHeader
	case seen&seenConnection == 0:
		return ErrConnectionHeader
	case seen&seenAccept == 0:
		return ErrAccept
	}
	return nil
}

// parseStatusLine parses "HTTP/1.x SP 3DIGIT [SP reason]" (RFC 7230
// §3.1.2). Like net/http it lets more than one space follow the version;
// the reason phrase is not looked at.
func parseStatusLine(line []byte) (minor, status int, ok bool) {
	if len(line) < len("HTTP/1.1 200") || string(line[:5]) != "HTTP/" ||
		!isDigit(line[5]) || line[6] != '.' || !isDigit(line[7]) || line[8] != ' ' {
		return 0, 0, false
	}
	if line[5] != '1' {
		return 0, 0, false
	}
	minor = int(line[7] - '0')
	rest := line[9:]
	for len(rest) > 0 && rest[0] == ' ' {
		rest = rest[1:]
	}
	if len(rest) < 3 || !isDigit(rest[0]) || !isDigit(rest[1]) || !isDigit(rest[2]) ||
		len(rest) > 3 && rest[3] != ' ' {
		return 0, 0, false
	}
	status = int(rest[0]-'0')*100 + int(rest[1]-'0')*10 + int(rest[2]-'0')
	return minor, status, true
}

// plausibleStart reports whether an incomplete head could still become a
// valid one: it starts with "HTTP/", and its status line, once complete,
// parses. It lets a loop drop a server that answers with something else
// without waiting for its timeout.
func plausibleStart(b []byte) bool {
	const prefix = "HTTP/"
	if len(b) < len(prefix) {
		return string(b) == prefix[:len(b)]
	}
	if string(b[:len(prefix)]) != prefix {
		return false
	}
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		line, _ := nextLine(b[:i+1])
		_, _, ok := parseStatusLine(line)
		return ok
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
