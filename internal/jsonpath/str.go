package jsonpath

import (
	"unicode/utf16"
	"unicode/utf8"
)

// EqualString reports whether the string Lookup returned as raw and kind
// equals s once decoded. It does not allocate.
func EqualString(raw []byte, kind Kind, s string) bool {
	switch kind {
	case KindString:
		return string(raw) == s
	case KindEscapedString:
		return decodedEqual(raw, s)
	}
	return false
}

// AppendString appends the decoded value of a string Lookup returned
// (raw of either string kind) to dst: escapes resolved, bytes that are
// not UTF-8 and lone surrogates as U+FFFD, as encoding/json decodes them.
// It does not allocate when dst has len(raw) bytes of room.
func AppendString(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		if c := raw[i]; c < utf8.RuneSelf && c != '\\' {
			dst = append(dst, c)
			i++
			continue
		}
		var r rune
		r, i = nextRune(raw, i)
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

// keyEqual compares the raw key of a member, whose scan set flags, with
// want (UTF-8).
func keyEqual(raw []byte, flags uint8, want string) bool {
	if flags == 0 {
		return string(raw) == want
	}
	return decodedEqual(raw, want)
}

// decodedEqual reports whether raw, the inside of a JSON string, decodes
// to s. A decoded string is always UTF-8, so an s that is not never
// matches.
func decodedEqual(raw []byte, s string) bool {
	j := 0
	var buf [utf8.UTFMax]byte
	for i := 0; i < len(raw); {
		if c := raw[i]; c < utf8.RuneSelf && c != '\\' {
			if j >= len(s) || s[j] != c {
				return false
			}
			i++
			j++
			continue
		}
		var r rune
		r, i = nextRune(raw, i)
		n := utf8.EncodeRune(buf[:], r)
		if len(s)-j < n || s[j:j+n] != string(buf[:n]) {
			return false
		}
		j += n
	}
	return j == len(s)
}

// nextRune decodes the rune at raw[i] — an escape or UTF-8 — the way
// encoding/json does, and returns the index past it. Lookup's raw strings
// hold only complete escapes; anything else (a caller's own bytes) gives
// U+FFFD for the rest rather than a panic.
func nextRune(raw []byte, i int) (rune, int) {
	if raw[i] != '\\' {
		r, n := utf8.DecodeRune(raw[i:])
		return r, i + n // an invalid byte is RuneError, n 1
	}
	if i+1 >= len(raw) || raw[i+1] == 'u' && (i+6 > len(raw) || hex4(raw[i+2:]) < 0) {
		return utf8.RuneError, len(raw)
	}
	switch c := raw[i+1]; c {
	case 'b':
		return '\b', i + 2
	case 'f':
		return '\f', i + 2
	case 'n':
		return '\n', i + 2
	case 'r':
		return '\r', i + 2
	case 't':
		return '\t', i + 2
	case 'u':
	default: // '"', '\\', '/'
		return rune(c), i + 2
	}
	r := hex4(raw[i+2:])
	i += 6
	if utf16.IsSurrogate(r) {
		// A pair is one rune; anything else leaves U+FFFD for this half
		// and decodes what follows on its own.
		if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
			if d := utf16.DecodeRune(r, hex4(raw[i+2:])); d != utf8.RuneError {
				return d, i + 6
			}
		}
		return utf8.RuneError, i
	}
	return r, i
}
