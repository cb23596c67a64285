package protocol

import "strconv"

// Query is what a connecting client says about itself in the request URI:
// ?client=ID&resume=SEQ&direct=ID. Resume is meaningful only when
// HasResume is set; Direct (the id of the last direct message the client
// received) only when HasDirect is.
type Query struct {
	Client    uint64
	HasClient bool
	Resume    int64
	HasResume bool
	Direct    uint64
	HasDirect bool
}

// AppendURI appends path?client=ID[&resume=SEQ][&direct=ID] to dst, keeping any query
// the base path already carries.
func AppendURI(dst []byte, path string, q Query) []byte {
	dst = append(dst, path...)
	sep := byte('?')
	for i := 0; i < len(path); i++ {
		if path[i] == '?' {
			sep = '&'
			break
		}
	}
	if q.HasClient {
		dst = append(dst, sep)
		dst = append(dst, "client="...)
		dst = strconv.AppendUint(dst, q.Client, 10)
		sep = '&'
	}
	if q.HasResume {
		dst = append(dst, sep)
		dst = append(dst, "resume="...)
		dst = strconv.AppendInt(dst, q.Resume, 10)
		sep = '&'
	}
	if q.HasDirect {
		dst = append(dst, sep)
		dst = append(dst, "direct="...)
		dst = strconv.AppendUint(dst, q.Direct, 10)
	}
	return dst
}

// ParseURI extracts the path and the client, resume and direct parameters from a
// request URI as the server reads it from the request line. Parameters that
// are missing or not numbers are reported as absent; it never allocates.
func ParseURI(uri []byte) (path []byte, q Query) {
	path = uri
	for i, c := range uri {
		if c == '?' {
			path = uri[:i]
			q = parseQuery(uri[i+1:])
			break
		}
	}
	return path, q
}

func parseQuery(s []byte) (q Query) {
	for len(s) > 0 {
		var pair []byte
		pair, s = cut(s, '&')
		key, val := cut(pair, '=')
		switch string(key) {
		case "client":
			if n, ok := parseUint(val); ok {
				q.Client, q.HasClient = n, true
			}
		case "resume":
			if n, ok := parseUint(val); ok && n <= 1<<63-1 {
				q.Resume, q.HasResume = int64(n), true
			}
		case "direct":
			if n, ok := parseUint(val); ok {
				q.Direct, q.HasDirect = n, true
			}
		}
	}
	return q
}

func cut(s []byte, sep byte) (before, after []byte) {
	for i, c := range s {
		if c == sep {
			return s[:i], s[i+1:]
		}
	}
	return s, nil
}

func parseUint(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (1<<64-1-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}
