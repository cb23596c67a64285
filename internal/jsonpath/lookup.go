package jsonpath

import "unicode/utf8"

// Lookup finds the field at p in msg, a JSON object. It returns the
// field's raw bytes (see Kind for what they hold) and its kind; ok is
// false when the field is absent, a key on the way is not an object, or
// msg is not a JSON object up to the field (see the package doc). raw
// aliases msg. It does not allocate.
func Lookup(msg []byte, p Path) (raw []byte, kind Kind, ok bool) {
	keys := p.keys
	if len(keys) == 0 {
		return nil, KindNone, false
	}
	i := skipWS(msg, 0)
	if i >= len(msg) || msg[i] != '{' {
		return nil, KindNone, false
	}
	depth, k := 1, 0
	i++
	for {
		// Just inside an object: find keys[k] in it.
		i = skipWS(msg, i)
		if i >= len(msg) || msg[i] == '}' {
			return nil, KindNone, false
		}
		for {
			if msg[i] != '"' {
				return nil, KindNone, false
			}
			end, fl, ok := scanString(msg, i)
			if !ok {
				return nil, KindNone, false
			}
			key := msg[i+1 : end-1]
			i = skipWS(msg, end)
			if i >= len(msg) || msg[i] != ':' {
				return nil, KindNone, false
			}
			i = skipWS(msg, i+1)
			if i >= len(msg) {
				return nil, KindNone, false
			}
			if keyEqual(key, fl, keys[k]) {
				if k == len(keys)-1 {
					return value(msg, i, depth)
				}
				// First occurrence wins: a key on the way that is not an
				// object ends the search.
				if msg[i] != '{' || depth == MaxDepth {
					return nil, KindNone, false
				}
				depth++
				k++
				i++
				break
			}
			if i, ok = skipValue(msg, i, depth); !ok {
				return nil, KindNone, false
			}
			i = skipWS(msg, i)
			if i >= len(msg) || msg[i] != ',' {
				return nil, KindNone, false // '}' (absent) or malformed
			}
			i = skipWS(msg, i+1)
			if i >= len(msg) {
				return nil, KindNone, false
			}
		}
	}
}

// value returns the value starting at msg[i], in an object at depth, if
// it is well formed and followed by ',' or '}'.
func value(msg []byte, i, depth int) ([]byte, Kind, bool) {
	raw, kind, end, ok := valueAt(msg, i, depth)
	if !ok {
		return nil, KindNone, false
	}
	i = skipWS(msg, end)
	if i >= len(msg) || (msg[i] != ',' && msg[i] != '}') {
		return nil, KindNone, false
	}
	return raw, kind, true
}

// valueAt scans the value starting at msg[i] (i < len(msg)) in a container
// at depth: its raw bytes and kind (see Kind), and where it ends.
func valueAt(msg []byte, i, depth int) (raw []byte, kind Kind, end int, ok bool) {
	switch c := msg[i]; {
	case c == '"':
		end, fl, ok := scanString(msg, i)
		if !ok {
			return nil, KindNone, 0, false
		}
		raw, kind = msg[i+1:end-1], KindString
		if fl&flagEscape != 0 || fl&flagHigh != 0 && !utf8.Valid(raw) {
			kind = KindEscapedString
		}
		return raw, kind, end, true
	default:
		end, ok := skipValue(msg, i, depth)
		if !ok {
			return nil, KindNone, 0, false
		}
		switch {
		case c == '{':
			kind = KindObject
		case c == '[':
			kind = KindArray
		case c == 't' || c == 'f':
			kind = KindBool
		case c == 'n':
			kind = KindNull
		default:
			kind = KindNumber
		}
		return msg[i:end], kind, end, true
	}
}
