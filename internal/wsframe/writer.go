package wsframe

import (
	"encoding/binary"
	"unicode/utf8"

	"github.com/gobwas/ws"
)

// MaxControlPayload is the most payload a control frame may carry (§5.5).
const MaxControlPayload = 125

// Writer builds whole frames (header and payload in one buffer) so that
// each frame goes out in a single write. It reuses its buffer: after the
// largest frame has been built once it no longer allocates. One per event
// loop; not safe for concurrent use.
type Writer struct {
	buf []byte
}

// Frame returns one final frame with opcode op and payload. A non-nil mask
// masks the payload with it, as every client-to-server frame must be
// (§5.3); a server passes nil. The caller keeps a control frame's payload
// within MaxControlPayload (a pong echoing a decoded ping always is). The
// result is valid until the next call.
func (w *Writer) Frame(op ws.OpCode, payload []byte, mask *[4]byte) []byte {
	w.buf = appendHeader(w.buf[:0], op, len(payload), mask)
	start := len(w.buf)
	w.buf = append(w.buf, payload...)
	if mask != nil {
		ws.Cipher(w.buf[start:], *mask, 0)
	}
	return w.buf
}

// Close returns a close frame (§5.5.1) with status code and reason, masked
// with mask when it is non-nil. It never builds an invalid one: a code that
// must not be sent (CloseCodeValid is false, such as 0 or 1005 "no status")
// gives a close frame without a body, and the reason is cut to its longest
// valid UTF-8 prefix that fits the 125 bytes of a control frame. The
// result is valid until the next call.
func (w *Writer) Close(code uint16, reason string, mask *[4]byte) []byte {
	if !CloseCodeValid(code) {
		return w.Frame(ws.OpClose, nil, mask)
	}
	n := 2 + utf8Prefix(reason, MaxControlPayload-2)
	w.buf = appendHeader(w.buf[:0], ws.OpClose, n, mask)
	start := len(w.buf)
	w.buf = binary.BigEndian.AppendUint16(w.buf, code)
	w.buf = append(w.buf, reason[:n-2]...)
	if mask != nil {
		ws.Cipher(w.buf[start:], *mask, 0)
	}
	return w.buf
}

// utf8Prefix returns the length of the longest prefix of s that is valid
// UTF-8 and at most limit bytes long.
func utf8Prefix(s string, limit int) int {
	n := 0
	for n < len(s) {
		r, size := utf8.DecodeRuneInString(s[n:])
		if r == utf8.RuneError && size == 1 || n+size > limit {
			break
		}
		n += size
	}
	return n
}

// appendHeader appends the header of a final, unextended frame (§5.2):
// the length in its minimal encoding, then the masking key if any. It is
// a dozen bytes written directly into the frame's buffer: gobwas/ws's
// WriteHeaderBuffer would need an io.Writer around that buffer.
func appendHeader(b []byte, op ws.OpCode, n int, mask *[4]byte) []byte {
	var m byte
	if mask != nil {
		m = 0x80
	}
	b = append(b, 0x80|byte(op))
	switch {
	case n < 126:
		b = append(b, m|byte(n))
	case n <= 0xffff:
		b = append(b, m|126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, m|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	if mask != nil {
		b = append(b, mask[:]...)
	}
	return b
}
