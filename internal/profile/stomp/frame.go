package stomp

import "bytes"

// frame is one STOMP frame, its parts pointing into the bytes it was read
// from.
type frame struct {
	command []byte
	headers []byte // the header lines, each ending in LF (CR LF)
	body    []byte
}

// Phases of scan, the top bits of its state.
const (
	phaseHeaders = iota // the command line and headers, up to the blank line
	phaseNUL            // a body that ends at the first NUL
	phaseLength         // a body of content-length octets, then NUL
)

const (
	phaseShift = 30
	posMask    = 1<<phaseShift - 1
)

// scan checks the frame at the start of b (STOMP 1.2 "Augmented BNF"),
// going on from state s (0 for a frame not scanned yet): the frame's
// length up to its NUL, or 0 and the state to go on from once more bytes
// came; rule is not empty when the frame is broken or longer than
// MaxFrame. Each byte is looked at once however the frame is cut, but for
// the header lines, read once more when the blank line ends them.
//
// A header line without a colon is broken as soon as its EOL came, a
// content-length that is not a number as soon as the blank line did.
func scan(b []byte, s uint32) (n int, next uint32, rule string) {
	phase, pos := s>>phaseShift, int(s&posMask)
	// length is the content-length seen so far: none (-1), not a number
	// (-3), or unknown (-2) when the scan resumes after the first lines.
	length := -1
	if phase == phaseHeaders && pos > 0 {
		length = -2
	}
	for {
		switch phase {
		case phaseHeaders:
			nl := bytes.IndexByte(b[pos:], '\n')
			if nl < 0 {
				if bytes.IndexByte(b[pos:], 0) >= 0 {
					return 0, 0, lineRule(pos)
				}
				if len(b) >= MaxFrame {
					return 0, 0, ruleTooLong
				}
				return 0, phase<<phaseShift | uint32(pos), ""
			}
			line := trimCR(b[pos : pos+nl])
			if bytes.IndexByte(line, 0) >= 0 {
				return 0, 0, lineRule(pos)
			}
			end := pos + nl + 1
			if end > MaxFrame {
				return 0, 0, ruleTooLong
			}
			switch {
			case pos == 0:
				if len(line) == 0 {
					return 0, 0, ruleCommand
				}
			case len(line) == 0:
				if length == -2 {
					length = contentLength(b[:pos])
				}
				switch {
				case length == -3:
					return 0, 0, ruleContentLength
				case length < 0:
					phase = phaseNUL
				case end+length >= MaxFrame:
					return 0, 0, ruleTooLong
				default:
					phase, end = phaseLength, end+length
				}
			default:
				colon := bytes.IndexByte(line, ':')
				if colon < 0 {
					return 0, 0, ruleHeader
				}
				if length == -1 && string(line[:colon]) == "content-length" {
					if length = atoi(line[colon+1:]); length < 0 {
						length = -3
					}
				}
			}
			pos = end
		case phaseNUL:
			i := bytes.IndexByte(b[pos:], 0)
			if i < 0 {
				if len(b) >= MaxFrame {
					return 0, 0, ruleTooLong
				}
				return 0, phase<<phaseShift | uint32(len(b)), ""
			}
			if pos+i >= MaxFrame {
				return 0, 0, ruleTooLong
			}
			return pos + i + 1, 0, ""
		default: // phaseLength: pos is where the NUL must be
			if pos >= len(b) {
				return 0, s, ""
			}
			if b[pos] != 0 {
				return 0, 0, ruleNUL
			}
			return pos + 1, 0, ""
		}
	}
}

// lineRule is the rule a NUL inside the line at pos breaks.
func lineRule(pos int) string {
	if pos == 0 {
		return ruleCommand
	}
	return ruleHeader
}

// contentLength reads the first content-length header of the command
// line and headers h: -1 when there is none, -3 when it is not a number.
func contentLength(h []byte) int {
	f := frame{headers: h[bytes.IndexByte(h, '\n')+1:]}
	v, found := f.header("content-length")
	if !found {
		return -1
	}
	if n := atoi(v); n >= 0 {
		return n
	}
	return -3
}

// split cuts a whole frame that scan passed (b ends in its NUL) into its
// parts.
func split(b []byte) frame {
	nl := bytes.IndexByte(b, '\n')
	f := frame{command: trimCR(b[:nl])}
	pos := nl + 1
	start := pos
	for {
		nl := bytes.IndexByte(b[pos:], '\n')
		line := trimCR(b[pos : pos+nl])
		pos += nl + 1
		if len(line) == 0 {
			break
		}
	}
	f.headers, f.body = b[start:pos], b[pos:len(b)-1]
	return f
}

// header returns the value of the first header called name (STOMP 1.2
// "Repeated Header Entries": the first one counts), as sent.
func (f *frame) header(name string) ([]byte, bool) {
	h := f.headers
	for len(h) > 0 {
		nl := bytes.IndexByte(h, '\n')
		if nl < 0 {
			nl = len(h) - 1
		}
		line := trimCR(h[:nl])
		h = h[nl+1:]
		if len(line) > len(name) && line[len(name)] == ':' && string(line[:len(name)]) == name {
			return line[len(name)+1:], true
		}
	}
	return nil, false
}

// trimCR drops the CR of a CR LF line end.
func trimCR(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == '\r' {
		return b[:len(b)-1]
	}
	return b
}

// atoi reads a non-negative decimal number of at most 9 digits; -1 when b
// is not one.
func atoi(b []byte) int {
	if len(b) == 0 || len(b) > 9 {
		return -1
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}
