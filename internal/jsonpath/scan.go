package jsonpath

// The grammar is RFC 8259's; these functions take msg and the index where
// a token starts and return the index just past it, or ok false. None
// reads past len(msg) or recurses.

// skipWS returns the index of the first byte at or after i that is not
// JSON whitespace.
func skipWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// String flags: what scanString saw between the quotes.
const (
	flagEscape = 1 << iota // a backslash escape
	flagHigh               // a byte ≥ 0x80 (maybe not UTF-8)
)

// plain marks the bytes a string holds as they are: not '"', '\\', a
// control character or a byte ≥ 0x80.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// scanString scans the string whose opening quote is b[i]; end is past
// the closing quote.
func scanString(b []byte, i int) (end int, flags uint8, ok bool) {
	i++
	for i < len(b) {
		c := b[i]
		if plain[c] {
			i++
			continue
		}
		switch {
		case c == '"':
			return i + 1, flags, true
		case c == '\\':
			flags |= flagEscape
			if i+1 >= len(b) {
				return 0, 0, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) || hex4(b[i+2:i+6]) < 0 {
					return 0, 0, false
				}
				i += 6
			default:
				return 0, 0, false
			}
		case c < 0x20:
			return 0, 0, false
		default:
			flags |= flagHigh
			i++
		}
	}
	return 0, 0, false
}

// hex4 returns the value of four hex digits, or -1.
func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// scanNumber scans the number starting at b[i]; integer reports that it
// has neither fraction nor exponent.
func scanNumber(b []byte, i int) (end int, integer, ok bool) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b):
		return 0, false, false
	case b[i] == '0':
		i++
	case '1' <= b[i] && b[i] <= '9':
		i = digits(b, i)
	default:
		return 0, false, false
	}
	integer = true
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return 0, false, false
		}
		i, integer = j, false
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return 0, false, false
		}
		i, integer = j, false
	}
	return i, integer, true
}

// digits returns the index past the run of decimal digits at b[i].
func digits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}

// literal scans true, false or null at b[i].
func literal(b []byte, i int) (end int, ok bool) {
	var lit string
	switch b[i] {
	case 't':
		lit = "true"
	case 'f':
		lit = "false"
	case 'n':
		lit = "null"
	default:
		return 0, false
	}
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return 0, false
	}
	return i + len(lit), true
}

// scalar scans a string, number or literal at b[i] (i < len(b)).
func scalar(b []byte, i int) (end int, ok bool) {
	switch c := b[i]; {
	case c == '"':
		end, _, ok = scanString(b, i)
		return end, ok
	case c == '-' || '0' <= c && c <= '9':
		end, _, ok = scanNumber(b, i)
		return end, ok
	}
	return literal(b, i)
}

// skipValue skips the value at b[i] (i < len(b)) found in a container at
// depth. Containers are tracked on a bit stack (1 = object) instead of by
// recursion, which bounds nesting at MaxDepth.
func skipValue(b []byte, i, depth int) (end int, ok bool) {
	var stack uint64
	n := 0 // containers open within this value
	for {
		// A value starts at b[i].
		if c := b[i]; c == '{' || c == '[' {
			if depth+n >= MaxDepth {
				return 0, false
			}
			obj := c == '{'
			stack = stack<<1 | b2u(obj)
			n++
			i = skipWS(b, i+1)
			if i >= len(b) {
				return 0, false
			}
			if b[i] == '}' && obj || b[i] == ']' && !obj {
				i++
				n--
				stack >>= 1
			} else {
				if obj {
					if i, ok = member(b, i); !ok {
						return 0, false
					}
				}
				continue
			}
		} else if i, ok = scalar(b, i); !ok {
			return 0, false
		}
		// A value ended at i: close containers or go on to the next
		// element.
		for {
			if n == 0 {
				return i, true
			}
			i = skipWS(b, i)
			if i >= len(b) {
				return 0, false
			}
			obj := stack&1 == 1
			c := b[i]
			if c == ',' {
				i = skipWS(b, i+1)
				if i >= len(b) {
					return 0, false
				}
				if obj {
					if i, ok = member(b, i); !ok {
						return 0, false
					}
				}
				break
			}
			if c == '}' && obj || c == ']' && !obj {
				i++
				n--
				stack >>= 1
				continue
			}
			return 0, false
		}
	}
}

// member scans `"key" :` at b[i] and the whitespace after it; end is where
// the member's value starts (end < len(b)).
func member(b []byte, i int) (end int, ok bool) {
	if b[i] != '"' {
		return 0, false
	}
	if i, _, ok = scanString(b, i); !ok {
		return 0, false
	}
	i = skipWS(b, i)
	if i >= len(b) || b[i] != ':' {
		return 0, false
	}
	i = skipWS(b, i+1)
	return i, i < len(b)
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
