package jsonpath

import "unicode/utf8"

// Elements walks the elements of a JSON array in place, one at a time:
// the frames of protocols that send arrays (Phoenix's
// [join_ref, ref, topic, event, payload]) and the arrays inside a message
// Lookup found (SignalR's arguments, Centrifugo's recovered publications).
// Elements are checked against the grammar as they are read, as Lookup
// checks what it passes; what follows the last element read is not read.
// Its zero value is an array with no elements. It does not allocate.
type Elements struct {
	b     []byte
	i     int // where the next element (or ']') is, after whitespace
	state elemState
}

type elemState uint8

const (
	elemFirst elemState = iota // just after '['
	elemNext                   // after an element: ',' or ']' comes
	elemEnd                    // ']' read
	elemBad                    // not an array, or a grammar error
)

// Array returns the elements of the array raw holds: raw must be a JSON
// array, whitespace around it allowed (a whole message, or the raw value
// of a KindArray field).
func Array(raw []byte) Elements {
	i := skipWS(raw, 0)
	if i >= len(raw) || raw[i] != '[' {
		return Elements{state: elemBad}
	}
	return Elements{b: raw, i: skipWS(raw, i+1)}
}

// Next returns the next element as Lookup returns a field: raw is a
// string's inside without its quotes (KindString or KindEscapedString),
// or the whole value of any other kind; raw aliases the array. ok is
// false at the end of the array and on a grammar error (then Err reports
// true).
func (e *Elements) Next() (raw []byte, kind Kind, ok bool) {
	b, i := e.b, e.i
	switch e.state {
	case elemEnd, elemBad:
		return nil, KindNone, false
	case elemFirst:
		if i < len(b) && b[i] == ']' {
			e.state, e.i = elemEnd, i+1
			return nil, KindNone, false
		}
	case elemNext:
		if i < len(b) && b[i] == ']' {
			e.state, e.i = elemEnd, i+1
			return nil, KindNone, false
		}
		if i >= len(b) || b[i] != ',' {
			return e.fail()
		}
		i = skipWS(b, i+1)
	}
	if i >= len(b) {
		return e.fail()
	}
	switch c := b[i]; {
	case c == '"':
		end, fl, ok := scanString(b, i)
		if !ok {
			return e.fail()
		}
		raw, kind = b[i+1:end-1], KindString
		if fl&flagEscape != 0 || fl&flagHigh != 0 && !utf8.Valid(raw) {
			kind = KindEscapedString
		}
		i = end
	default:
		end, ok := skipValue(b, i, 1)
		if !ok {
			return e.fail()
		}
		raw = b[i:end]
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
		i = end
	}
	e.state, e.i = elemNext, skipWS(b, i)
	return raw, kind, true
}

func (e *Elements) fail() ([]byte, Kind, bool) {
	e.state = elemBad
	return nil, KindNone, false
}

// Err reports whether Next stopped on something that is not a JSON array
// (a grammar error, or no array at all) rather than at its closing
// bracket.
func (e *Elements) Err() bool { return e.state == elemBad }

// Rest returns what follows the array's closing bracket once Next has
// reached it (nil before): whitespace only in a message that is one JSON
// array.
func (e *Elements) Rest() []byte {
	if e.state != elemEnd {
		return nil
	}
	return e.b[e.i:]
}

// Text returns the JSON text of a value that Lookup or Elements.Next
// found in msg as raw: raw itself, or for a string, raw with its quotes.
// raw must have been sliced from msg (as Lookup and Next slice it, from
// msg or from a value sliced from msg); otherwise Text returns raw. It
// does not allocate.
func Text(msg, raw []byte, kind Kind) []byte {
	if !kind.IsString() {
		return raw
	}
	// raw shares msg's array: its offset in msg is the difference of
	// their capacities.
	start := cap(msg) - cap(raw)
	end := start + len(raw)
	if start < 1 || end >= len(msg) || msg[start-1] != '"' || msg[end] != '"' {
		return raw
	}
	if len(raw) > 0 && &msg[start] != &raw[0] {
		return raw
	}
	return msg[start-1 : end+1]
}
