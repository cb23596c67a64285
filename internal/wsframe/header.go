package wsframe

import "github.com/gobwas/ws"

// headerLen is the size of a frame header whose second byte is b1 (§5.2):
// two bytes, the extended payload length, and the masking key.
func headerLen(b1 byte) int {
	return 2 + extLen(b1) + int(b1>>7)*4
}

// extLen is the size of the extended payload length announced by b1.
func extLen(b1 byte) int {
	switch b1 & 0x7f {
	case 126:
		return 2
	case 127:
		return 8
	}
	return 0
}

// header reads header bytes of the current frame from data and returns
// how many it used. Once the header is whole, it is checked and the frame
// started (fPayload set). A header split across reads is collected byte
// by byte in the decoder's fields, so a split costs no buffer.
func (d *Decoder) header(cfg *Config, data []byte) (int, Rule) {
	if d.hn == 0 && len(data) >= 2 && len(data) >= headerLen(data[1]) {
		// The whole header is here (the common case).
		d.b0, d.b1 = data[0], data[1]
		if r := d.check(cfg); r != RuleNone {
			return 2, r
		}
		n, x := 2, extLen(d.b1)
		d.remain = 0
		for _, b := range data[n : n+x] {
			d.remain = d.remain<<8 | int64(b)
		}
		n += x
		if d.b1&0x80 != 0 {
			n += copy(d.mask[:], data[n:n+4])
		}
		d.hn = uint8(n)
		return n, d.start(cfg)
	}
	for i, b := range data {
		n := int(d.hn)
		d.hn++
		switch {
		case n == 0:
			d.b0, d.remain = b, 0
			continue
		case n == 1:
			d.b1 = b
			if r := d.check(cfg); r != RuleNone {
				return i + 1, r
			}
		case n < 2+extLen(d.b1):
			d.remain = d.remain<<8 | int64(b)
		default:
			d.mask[n-2-extLen(d.b1)] = b
		}
		if int(d.hn) == headerLen(d.b1) {
			return i + 1, d.start(cfg)
		}
	}
	return len(data), RuleNone
}

// check applies the rules the first two header bytes decide: reserved
// opcodes and RSV bits (§5.2), control frames fragmented or announcing
// more than 125 bytes (§5.5; 126 and 127 announce an extended length,
// which a control frame never needs), masking direction (§5.1), and
// continuation against the message in progress (§5.4). It makes the
// checks of gobwas/ws's CheckHeader, in the same order (a test holds them
// to it for every header), but returns a Rule: CheckHeader's errors are
// strings that cost an allocation each time one is returned.
func (d *Decoder) check(cfg *Config) Rule {
	op := ws.OpCode(d.b0 & 0x0f)
	if op.IsReserved() {
		return RuleReservedOpcode
	}
	if op.IsControl() {
		if d.b1&0x7f > MaxControlPayload {
			return RuleControlTooLong
		}
		if d.b0&0x80 == 0 {
			return RuleControlFragmented
		}
	}
	masked := d.b1&0x80 != 0
	inMessage := d.flags&fMessage != 0
	switch {
	case d.b0&0x70 != 0:
		return RuleReservedBits
	case cfg.Role == Server && !masked:
		return RuleUnmaskedFrame
	case cfg.Role == Client && masked:
		return RuleMaskedFrame
	case inMessage && (op == ws.OpText || op == ws.OpBinary):
		return RuleExpectedContinuation
	case !inMessage && op == ws.OpContinuation:
		return RuleUnexpectedContinuation
	}
	return RuleNone
}

// start checks the whole header (minimal length encoding, §5.2; message
// size) and begins the frame's payload. A 64-bit length with its most
// significant bit set, which §5.2 forbids, reads as negative and fails
// the minimal-encoding check.
func (d *Decoder) start(cfg *Config) Rule {
	switch l := d.b1 & 0x7f; {
	case l < 126:
		d.remain = int64(l)
	case l == 126 && d.remain < 126, l == 127 && d.remain <= 0xffff:
		return RuleBadLength
	}
	if op := ws.OpCode(d.b0 & 0x0f); !op.IsControl() {
		if op != ws.OpContinuation {
			// A new message (check made sure none is in progress).
			d.flags = d.flags&^(fText|fSkip) | fMessage
			if op == ws.OpText {
				d.flags |= fText
			}
			d.msg, d.wire, d.utf = 0, 0, utf8Boundary
		}
		if d.remain > cfg.maxMessage()-d.msg {
			return RuleMessageTooBig
		}
		d.msg += d.remain
		d.wire += int64(headerLen(d.b1)) + d.remain
		if d.flags&fSkip == 0 && d.msg > cfg.keep() {
			d.flags |= fSkip // too long to keep: drop what was kept
			d.release()
		}
	}
	d.moff = 0
	d.flags |= fPayload
	return RuleNone
}
