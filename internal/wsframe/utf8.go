package wsframe

import "unicode/utf8"

// utf8State is where an incremental UTF-8 validation stands between two
// pieces of a text message: at a character boundary (utf8Boundary), or
// inside a multi-byte character, with the bytes the rest of it may hold.
// One byte replaces a carry of the character's first bytes, so that a
// message split anywhere (between frames or reads) is checked without
// copying, and an invalid sequence fails at the first byte that makes it
// invalid (§8.1: the endpoint fails the connection when it sees one).
type utf8State uint8

// States: the names say which bytes the rest of the character must be
// (RFC 3629 §4: the ranges rule out overlong forms, surrogates and code
// points past U+10FFFF).
const (
	utf8Boundary utf8State = iota // between characters
	utf8Tail1                     // one more byte 80–BF
	utf8Tail2                     // two more bytes 80–BF
	utf8Tail3                     // three more bytes 80–BF
	utf8E0                        // after E0: A0–BF, then one byte
	utf8ED                        // after ED: 80–9F (no surrogates), then one byte
	utf8F0                        // after F0: 90–BF, then two bytes
	utf8F4                        // after F4: 80–8F (≤ U+10FFFF), then two bytes
)

// step advances s over b; ok is false when b cannot follow.
func (s utf8State) step(b byte) (next utf8State, ok bool) {
	lo, hi := byte(0x80), byte(0xBF)
	switch s {
	case utf8Boundary:
		switch {
		case b < 0x80:
			return utf8Boundary, true
		case b < 0xC2: // continuation byte, or C0/C1 (overlong)
			return 0, false
		case b < 0xE0:
			return utf8Tail1, true
		case b == 0xE0:
			return utf8E0, true
		case b == 0xED:
			return utf8ED, true
		case b < 0xF0:
			return utf8Tail2, true
		case b == 0xF0:
			return utf8F0, true
		case b < 0xF4:
			return utf8Tail3, true
		case b == 0xF4:
			return utf8F4, true
		}
		return 0, false
	case utf8Tail1, utf8Tail2, utf8Tail3:
		next = s - 1
	case utf8E0:
		lo, next = 0xA0, utf8Tail1
	case utf8ED:
		hi, next = 0x9F, utf8Tail1
	case utf8F0:
		lo, next = 0x90, utf8Tail2
	case utf8F4:
		hi, next = 0x8F, utf8Tail2
	}
	if b < lo || b > hi {
		return 0, false
	}
	return next, true
}

// feed validates the next piece p of a text message. Bytes that finish a
// character begun earlier and bytes that begin one left unfinished go
// through step; everything between through utf8.Valid, which is much
// faster on long runs.
func (s utf8State) feed(p []byte) (utf8State, bool) {
	ok := true
	i := 0
	for ; s != utf8Boundary && i < len(p); i++ {
		if s, ok = s.step(p[i]); !ok {
			return s, false
		}
	}
	p = p[i:]
	if len(p) == 0 {
		return s, true
	}
	t := incompleteTail(p)
	if !utf8.Valid(p[:t]) {
		return s, false
	}
	for _, b := range p[t:] {
		if s, ok = s.step(b); !ok {
			return s, false
		}
	}
	return s, true
}

// incompleteTail returns where a character that p ends inside begins, or
// len(p) when p ends on a character boundary (as far as the last three
// bytes tell: anything wrong before them is utf8.Valid's to find).
func incompleteTail(p []byte) int {
	for k := len(p) - 1; k >= 0 && k >= len(p)-3; k-- {
		b := p[k]
		if b&0xC0 == 0x80 {
			continue // continuation byte: look further back
		}
		if b >= 0xC0 && seqLen(b) > len(p)-k {
			return k
		}
		break
	}
	return len(p)
}

// seqLen is the length of the sequence a leading byte of C0 or more
// announces (an invalid one fails in step or utf8.Valid either way).
func seqLen(b byte) int {
	switch {
	case b < 0xE0:
		return 2
	case b < 0xF0:
		return 3
	}
	return 4
}
