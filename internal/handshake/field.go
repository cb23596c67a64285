package handshake

import (
	"bytes"

	"github.com/gobwas/httphead"
)

// The byte classes of RFC 7230 §3.2 and §3.2.6.

func tokenByte(c byte) bool { return httphead.OctetTypes[c].IsToken() }

func isOWS(c byte) bool { return c == ' ' || c == '\t' }

// valueByte reports whether c may appear in a field-value: VCHAR,
// obs-text, SP or HTAB — no control character.
func valueByte(c byte) bool { return c >= ' ' && c != 0x7f || c == '\t' }

// headEnd returns the length of the head at the start of b — through the
// empty line that ends it — or 0 while that empty line has not arrived.
// Lines end in LF with an optional CR before it (RFC 7230 §3.5 lets a
// recipient accept a bare LF, and net/http does).
func headEnd(b []byte) int {
	start := 0
	for {
		i := bytes.IndexByte(b[start:], '\n')
		if i < 0 {
			return 0
		}
		i += start
		if i == start || i == start+1 && b[start] == '\r' {
			return i + 1
		}
		start = i + 1
	}
}

// nextLine cuts the first line off b (which holds a whole head), without
// its CRLF or LF.
func nextLine(b []byte) (line, rest []byte) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return b, nil
	}
	line, rest = b[:i], b[i+1:]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, rest
}

// splitField splits a header line into its name and its value with the
// optional whitespace around it removed (RFC 7230 §3.2). It refuses an
// obs-fold continuation line (§3.2.4: a user agent may reject it, and a
// folded Sec-WebSocket-Accept is no longer what the server meant), a
// name that is not a token (whitespace before the colon included), and
// control characters in the value.
func splitField(line []byte) (name, value []byte, ok bool) {
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return nil, nil, false
	}
	name = line[:colon]
	for _, c := range name {
		if !tokenByte(c) {
			return nil, nil, false
		}
	}
	value = line[colon+1:]
	for _, c := range value {
		if !valueByte(c) {
			return nil, nil, false
		}
	}
	return name, trimOWS(value), true
}

func trimOWS(b []byte) []byte {
	for len(b) > 0 && isOWS(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isOWS(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// equalLower reports whether b equals lower, a lower-case ASCII string,
// ignoring the case of b (header names and the tokens "websocket" and
// "upgrade" are case-insensitive).
func equalLower(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// hasToken reports whether the comma-separated list v holds token
// (lower-case), ignoring case and the whitespace around elements; empty
// elements are allowed (RFC 7230 §7).
func hasToken(v []byte, token string) bool {
	for len(v) > 0 {
		elem := v
		if i := bytes.IndexByte(v, ','); i >= 0 {
			elem, v = v[:i], v[i+1:]
		} else {
			v = nil
		}
		if equalLower(trimOWS(elem), token) {
			return true
		}
	}
	return false
}
