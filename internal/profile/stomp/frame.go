package stomp

import "bytes"

// frame is one STOMP frame, its parts pointing into the bytes it was read
// from.
type frame struct {
	command []byte
	headers []byte // the header lines, each ending in LF (CR LF)
	body    []byte
}

// readFrame reads the frame at the start of b (STOMP 1.2 "Augmented BNF"):
// the frame and its length up to its NUL, or n 0 when b does not hold all
// of it yet. rule is not empty when the frame is broken or longer than
// MaxFrame, whole or not.
func readFrame(b []byte) (f frame, n int, rule string) {
	nl := bytes.IndexByte(b, '\n')
	if nl < 0 {
		return f, 0, incomplete(b, 0, ruleCommand)
	}
	f.command = trimCR(b[:nl])
	if len(f.command) == 0 || bytes.IndexByte(f.command, 0) >= 0 {
		return f, 0, ruleCommand
	}
	pos := nl + 1
	start := pos
	length := -1
	for {
		nl := bytes.IndexByte(b[pos:], '\n')
		if nl < 0 {
			return f, 0, incomplete(b, pos, ruleHeader)
		}
		line := trimCR(b[pos : pos+nl])
		pos += nl + 1
		if len(line) == 0 {
			break
		}
		colon := bytes.IndexByte(line, ':')
		if colon < 0 || bytes.IndexByte(line, 0) >= 0 {
			return f, 0, ruleHeader
		}
		if length < 0 && string(line[:colon]) == "content-length" {
			if length = atoi(line[colon+1:]); length < 0 {
				return f, 0, ruleContentLength
			}
			if length >= MaxFrame {
				return f, 0, ruleTooLong
			}
		}
		if pos > MaxFrame {
			return f, 0, ruleTooLong
		}
	}
	f.headers = b[start:pos]
	if length >= 0 {
		end := pos + length
		if end >= MaxFrame {
			return f, 0, ruleTooLong
		}
		if end >= len(b) {
			return f, 0, ""
		}
		if b[end] != 0 {
			return f, 0, ruleNUL
		}
		f.body = b[pos:end]
		return f, end + 1, ""
	}
	nul := bytes.IndexByte(b[pos:], 0)
	if nul < 0 {
		if len(b) >= MaxFrame {
			return f, 0, ruleTooLong
		}
		return f, 0, ""
	}
	if pos+nul >= MaxFrame {
		return f, 0, ruleTooLong
	}
	f.body = b[pos : pos+nul]
	return f, pos + nul + 1, ""
}

// incomplete says why a frame whose line from is not finished is broken
// already: a NUL in that line (rule), or more than MaxFrame bytes; "" when
// the rest may still come.
func incomplete(b []byte, from int, rule string) string {
	if bytes.IndexByte(b[from:], 0) >= 0 {
		return rule
	}
	if len(b) >= MaxFrame {
		return ruleTooLong
	}
	return ""
}

// header returns the value of the first header called name (STOMP 1.2
// "Repeated Header Entries": the first one counts), as sent.
func (f *frame) header(name string) ([]byte, bool) {
	h := f.headers
	for len(h) > 0 {
		nl := bytes.IndexByte(h, '\n')
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
