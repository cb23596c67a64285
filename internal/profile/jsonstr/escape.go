package jsonstr

// hex is the digits of a \u00xx escape, lower case as JSON.stringify
// writes them.
const hex = "0123456789abcdef"

// escapeLen is the length of byte c once escaped: 1 for most bytes, 2
// for a named escape, 6 for \u00xx.
var escapeLen = func() (t [256]uint8) {
	for i := range t {
		t[i] = 1
	}
	for c := 0; c < 0x20; c++ {
		t[c] = 6
	}
	for _, c := range []byte{'"', '\\', '\b', '\f', '\n', '\r', '\t'} {
		t[c] = 2
	}
	return t
}()

// named is the letter of a two-byte escape (0 when the byte has none).
var named = [256]byte{'"': '"', '\\': '\\', '\b': 'b', '\f': 'f', '\n': 'n', '\r': 'r', '\t': 't'}

// Len returns the length of s once escaped.
func Len(s []byte) int {
	n := 0
	for _, c := range s {
		n += int(escapeLen[c])
	}
	return n
}

// Append appends s, escaped, to dst. It does not allocate when dst has
// Len(s) bytes of room.
func Append(dst, s []byte) []byte {
	for _, c := range s {
		switch escapeLen[c] {
		case 1:
			dst = append(dst, c)
		case 2:
			dst = append(dst, '\\', named[c])
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
	}
	return dst
}

// EscapeTail escapes b[start:] where it lies and returns the grown
// slice: b[:start] is kept, the rest is replaced by its escaped form.
// It works from the end backwards, so the escaped bytes never overwrite
// bytes still to be read, and it does not allocate when b has the room
// the escapes need. A start outside b leaves b as it is.
func EscapeTail(b []byte, start int) []byte {
	if start < 0 || start > len(b) {
		return b
	}
	n := Len(b[start:])
	extra := n - (len(b) - start)
	if extra == 0 {
		return b
	}
	r := len(b) - 1 // last byte still to read
	if cap(b)-len(b) >= extra {
		b = b[:len(b)+extra]
	} else {
		b = append(b, make([]byte, extra)...)
	}
	w := len(b) // one past the next byte to write
	for ; r >= start; r-- {
		c := b[r]
		switch escapeLen[c] {
		case 1:
			w--
			b[w] = c
		case 2:
			w -= 2
			b[w], b[w+1] = '\\', named[c]
		default:
			w -= 6
			b[w], b[w+1], b[w+2], b[w+3], b[w+4], b[w+5] = '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf]
		}
	}
	return b
}
