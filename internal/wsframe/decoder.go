package wsframe

import (
	"time"

	"github.com/gobwas/ws"
)

// retainBuf is the largest reassembly buffer a Decoder keeps once the
// message or control frame it held was delivered: enough for any control
// frame and for stormbench's own messages, so that a connection whose
// frames are often split across reads does not allocate each time, while
// a million idle connections hold little. A larger buffer is released.
const retainBuf = 128

// Decoder reads the frames of one connection (RFC 6455 §5) incrementally:
// Feed it whatever each read returned, split anywhere, and it delivers
// whole data messages, reassembled (§5.4), and control frames to a
// Handler, after checking every rule a receiving endpoint must enforce.
//
// It is small (one is embedded in each connection) and its memory is
// bounded whatever the peer sends: a data message longer than Config.Keep
// is validated and counted as it streams by, never stored, and a frame
// that arrives whole within one Feed is delivered straight from the bytes
// fed, so only a kept message or control frame split across reads (or
// fragmented) is copied, into a buffer of at most Keep bytes (Keep + 125
// while a control frame split across reads interrupts a kept fragmented
// message). Its zero value is ready for use. Not safe for concurrent use.
type Decoder struct {
	// buf reassembles a kept data message that did not arrive whole
	// within one Feed, followed by a control frame split across reads
	// while the message is in progress.
	buf []byte
	// remain is, while the header is read, its extended length so far,
	// then the current frame's payload bytes still to come.
	remain int64
	msg    int64 // length of the data message in progress so far
	wire   int64 // its bytes on the wire so far, headers included
	mask   [4]byte
	b0, b1 byte      // the current frame's first two header bytes
	hn     uint8     // header bytes of the current frame read so far
	moff   uint8     // position in the mask of the next payload byte
	utf    utf8State // UTF-8 validation of the text message in progress
	flags  uint8
	err    Rule // the rule the peer broke, returned by every later Feed
}

// Decoder flags.
const (
	fPayload uint8 = 1 << iota // the header is read: reading the payload
	fMessage                   // a data message is in progress
	fText                      // it is a text message
	fSkip                      // it is longer than Keep: dropped as it streams
	fClosed                    // the peer's close frame was delivered
)

// Feed decodes data, the next bytes of the connection, and hands what it
// completes to h. data may be split anywhere and is modified in place
// (unmasking). It returns nil, or the Rule the peer broke (as an error,
// without allocating); what was delivered before the broken rule stands,
// and every later Feed returns the same Rule. The caller then fails the
// connection with the Rule's CloseCode (§7.1.7). When a Handler method
// returns false Feed returns nil at once. at is when the caller read data
// (any clock it keeps); it is handed to every Handler call, so that what
// the handler records carries the time of the read.
func (d *Decoder) Feed(cfg *Config, data []byte, h Handler, at time.Duration) error {
	if d.err != RuleNone {
		return d.err
	}
	for len(data) > 0 {
		if d.flags&fClosed != 0 {
			return d.fail(RuleDataAfterClose)
		}
		first := false
		if d.flags&fPayload == 0 {
			n, r := d.header(cfg, data)
			data = data[n:]
			if r != RuleNone {
				return d.fail(r)
			}
			if d.flags&fPayload == 0 {
				return nil // the header continues in the next read
			}
			first = true
		}
		n := len(data)
		if int64(n) > d.remain {
			n = int(d.remain)
		}
		more, r := d.payload(cfg, data[:n], first, h, at)
		if r != RuleNone {
			return d.fail(r)
		}
		if !more {
			return nil
		}
		data = data[n:]
	}
	return nil
}

// Reset readies d for a new connection and drops its buffer.
func (d *Decoder) Reset() { *d = Decoder{} }

// Retained returns the capacity of the reassembly buffer d holds, for
// memory accounting and tests of its bound.
func (d *Decoder) Retained() int { return cap(d.buf) }

func (d *Decoder) fail(r Rule) error {
	d.err = r
	d.buf = nil
	return r
}

// payload handles p, the next payload bytes of the current frame; first
// says p starts the payload. A frame whose payload is wholly in p is
// delivered from p itself; otherwise it goes through d.buf.
func (d *Decoder) payload(cfg *Config, p []byte, first bool, h Handler, at time.Duration) (bool, Rule) {
	whole := first && int64(len(p)) == d.remain
	if d.b1&0x80 != 0 {
		ws.Cipher(p, d.mask, int(d.moff))
		d.moff = uint8((int(d.moff) + len(p)) & 3)
	}
	d.remain -= int64(len(p))
	op := ws.OpCode(d.b0 & 0x0f)
	if op.IsControl() {
		return d.control(cfg, op, p, whole, h, at)
	}
	if d.flags&fText != 0 {
		var ok bool
		if d.utf, ok = d.utf.feed(p); !ok {
			return false, RuleInvalidUTF8
		}
	}
	fin := d.b0&0x80 != 0
	// Zero copy: the message is this one frame, whole in p (earlier
	// fragments, if any, were empty).
	direct := whole && fin && len(d.buf) == 0
	if d.flags&fSkip == 0 && !direct {
		d.append(cfg, p)
	}
	if d.remain > 0 {
		return true, RuleNone
	}
	d.endFrame()
	if !fin {
		return true, RuleNone
	}
	if d.flags&fText != 0 && d.utf != utf8Boundary {
		return false, RuleInvalidUTF8 // the message ends inside a character
	}
	mop, size, wire, skipped := ws.OpBinary, d.msg, int(d.wire), d.flags&fSkip != 0
	if d.flags&fText != 0 {
		mop = ws.OpText
	}
	d.flags &^= fMessage | fText | fSkip
	d.msg, d.wire, d.utf = 0, 0, utf8Boundary
	if skipped {
		return h.Skipped(at, mop, size, wire), RuleNone
	}
	if direct {
		return h.Message(at, mop, p, wire), RuleNone
	}
	more := h.Message(at, mop, d.buf, wire)
	d.release()
	return more, RuleNone
}

// control handles the payload bytes p of a ping, pong or close frame.
func (d *Decoder) control(cfg *Config, op ws.OpCode, p []byte, whole bool, h Handler, at time.Duration) (bool, Rule) {
	// A control frame may interrupt a kept fragmented message (§5.4): its
	// payload goes after the message's bytes, which are exactly d.msg at
	// a frame boundary.
	start := 0
	if d.flags&(fMessage|fSkip) == fMessage {
		start = int(d.msg)
	}
	if !whole {
		d.append(cfg, p)
		if d.remain > 0 {
			return true, RuleNone
		}
		p = d.buf[start:]
	}
	d.endFrame()
	if op == ws.OpClose {
		if r := checkClose(p); r != RuleNone {
			return false, r
		}
		d.flags |= fClosed
	}
	more := h.Control(at, op, p, headerLen(d.b1)+len(p))
	if !whole {
		d.buf = d.buf[:start]
		if start == 0 {
			d.release()
		}
	}
	return more, RuleNone
}

// endFrame readies d for the next frame's header.
func (d *Decoder) endFrame() {
	d.flags &^= fPayload
	d.hn = 0
}

// append adds p to d.buf. A new buffer is sized for the rest of the
// current frame too, and grows by doubling up to Keep at most, so that
// its capacity stays within Keep (plus one control frame).
func (d *Decoder) append(cfg *Config, p []byte) {
	need := len(d.buf) + len(p)
	if need > cap(d.buf) {
		c := max(int64(need)+d.remain, min(2*int64(cap(d.buf)), cfg.keep()))
		nb := make([]byte, len(d.buf), c)
		copy(nb, d.buf)
		d.buf = nb
	}
	d.buf = append(d.buf, p...)
}

// release empties d.buf, dropping it unless it is small.
func (d *Decoder) release() {
	if cap(d.buf) > retainBuf {
		d.buf = nil
		return
	}
	d.buf = d.buf[:0]
}
