package template

// unreservedTab marks the RFC 3986 §2.3 unreserved characters, the only
// ones written as they are into a URL: a table, since every byte of a
// per-client value is looked up on each connection attempt.
var unreservedTab = func() (t [256]bool) {
	for c := range 256 {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~'
	}
	return t
}()

func unreserved(c byte) bool { return unreservedTab[c] }

// appendEscaped appends s percent-encoded (RFC 3986 §2.1): every byte but
// the unreserved ones as %XX, so that the result is one path segment or
// one query value whatever s holds.
func appendEscaped[T string | []byte](dst []byte, s T) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', hex[c>>4], hex[c&15])
		}
	}
	return dst
}

// escapedLen is the length of s percent-encoded.
func escapedLen[T string | []byte](s T) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n += 2
		}
	}
	return n
}
