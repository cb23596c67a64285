package jsonpath

// Elements walks the elements of a JSON array without allocating: what
// the frameworks whose messages are arrays need (Socket.IO's event
// arguments, Phoenix's [join_ref, ref, topic, event, payload]). The zero
// value is an empty walk.
type Elements struct {
	b       []byte
	i       int
	started bool
	done    bool
	bad     bool
}

// Array starts a walk of the array msg holds (whitespace around it is
// allowed); ok is false when msg does not start with '['. What follows the
// array is not read.
func Array(msg []byte) (e Elements, ok bool) {
	i := skipWS(msg, 0)
	if i >= len(msg) || msg[i] != '[' {
		return Elements{done: true, bad: true}, false
	}
	return Elements{b: msg, i: i + 1}, true
}

// Next returns the next element, its raw bytes and kind as Lookup gives
// them (raw aliases the array); ok is false after the last element, or
// when the array is malformed (Malformed then reports it).
func (e *Elements) Next() (raw []byte, kind Kind, ok bool) {
	if e.done {
		return nil, KindNone, false
	}
	i := skipWS(e.b, e.i)
	if i >= len(e.b) {
		return e.fail()
	}
	if e.started {
		switch e.b[i] {
		case ']':
			e.done = true
			return nil, KindNone, false
		case ',':
			i = skipWS(e.b, i+1)
			if i >= len(e.b) {
				return e.fail()
			}
		default:
			return e.fail()
		}
	} else if e.b[i] == ']' {
		e.done = true
		return nil, KindNone, false
	}
	e.started = true
	raw, kind, end, ok := valueAt(e.b, i, 1)
	if !ok {
		return e.fail()
	}
	e.i = end
	return raw, kind, true
}

func (e *Elements) fail() ([]byte, Kind, bool) {
	e.done, e.bad = true, true
	return nil, KindNone, false
}

// Malformed reports whether the walk ended on a malformed array rather
// than at its end.
func (e *Elements) Malformed() bool { return e.bad }
