package protocol

import (
	"errors"
	"strconv"
)

// Kind is the type of an application message.
type Kind uint8

// Message kinds, from the "type" field.
const (
	KindUnknown Kind = iota
	KindPing
	KindPong
	KindMsg
	KindHello
	KindSend
	KindAck
	KindDirect
)

// String returns the kind's wire name.
func (k Kind) String() string {
	switch k {
	case KindPing:
		return "ping"
	case KindPong:
		return "pong"
	case KindMsg:
		return "msg"
	case KindHello:
		return "hello"
	case KindSend:
		return "send"
	case KindAck:
		return "ack"
	case KindDirect:
		return "direct"
	}
	return "unknown"
}

// Message is a decoded application message. T is set for ping and pong,
// Seq for msg and hello; HasT and HasSeq say whether the fields were there
// at all, so that a foreign server's {"type":"pong","time":…} is not read
// as a pong echoing time 0.
type Message struct {
	Kind   Kind
	T      int64
	Seq    int64
	HasT   bool
	HasSeq bool
	// ID is a send's, an ack's or a direct message's per-client number;
	// Client the sending client (send); Dup marks an ack of a message the
	// server had already received (it de-duplicates by client and ID).
	ID     int64
	HasID  bool
	Client int64
	Dup    bool
}

// ErrSyntax reports input that is not a flat JSON object of the protocol.
var ErrSyntax = errors.New("protocol: malformed message")

// AppendPing appends {"type":"ping","t":t} to dst.
func AppendPing(dst []byte, t int64) []byte {
	dst = append(dst, `{"type":"ping","t":`...)
	dst = strconv.AppendInt(dst, t, 10)
	return append(dst, '}')
}

// AppendPong appends {"type":"pong","t":t} to dst.
func AppendPong(dst []byte, t int64) []byte {
	dst = append(dst, `{"type":"pong","t":`...)
	dst = strconv.AppendInt(dst, t, 10)
	return append(dst, '}')
}

// AppendMsg appends {"type":"msg","seq":seq} to dst.
func AppendMsg(dst []byte, seq int64) []byte {
	dst = append(dst, `{"type":"msg","seq":`...)
	dst = strconv.AppendInt(dst, seq, 10)
	return append(dst, '}')
}

// AppendHello appends {"type":"hello","seq":seq} to dst.
func AppendHello(dst []byte, seq int64) []byte {
	dst = append(dst, `{"type":"hello","seq":`...)
	dst = strconv.AppendInt(dst, seq, 10)
	return append(dst, '}')
}

// Parse decodes one message. It accepts any flat JSON object whose values
// are strings or integers, with keys in any order and optional whitespace;
// unknown keys are skipped and an unknown type gives KindUnknown without
// error, so that servers may add fields. It does not allocate.
func Parse(b []byte) (Message, error) {
	var m Message
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return m, ErrSyntax
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		if skipSpace(b, i+1) != len(b) {
			return m, ErrSyntax
		}
		return m, nil
	}
	for {
		key, j, ok := scanString(b, i)
		if !ok {
			return m, ErrSyntax
		}
		i = skipSpace(b, j)
		if i >= len(b) || b[i] != ':' {
			return m, ErrSyntax
		}
		i = skipSpace(b, i+1)
		if i >= len(b) {
			return m, ErrSyntax
		}
		if b[i] == '"' {
			val, j, ok := scanString(b, i)
			if !ok {
				return m, ErrSyntax
			}
			if string(key) == "type" {
				m.Kind = kindOf(val)
			}
			i = j
		} else {
			n, j, ok := scanInt(b, i)
			if !ok {
				return m, ErrSyntax
			}
			switch string(key) {
			case "t":
				m.T, m.HasT = n, true
			case "seq":
				m.Seq, m.HasSeq = n, true
			case "id":
				m.ID, m.HasID = n, true
			case "c":
				m.Client = n
			case "dup":
				m.Dup = n != 0
			}
			i = j
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return m, ErrSyntax
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			if skipSpace(b, i+1) != len(b) {
				return m, ErrSyntax
			}
			return m, nil
		default:
			return m, ErrSyntax
		}
	}
}

func kindOf(v []byte) Kind {
	switch string(v) {
	case "ping":
		return KindPing
	case "pong":
		return KindPong
	case "msg":
		return KindMsg
	case "hello":
		return KindHello
	case "send":
		return KindSend
	case "ack":
		return KindAck
	case "direct":
		return KindDirect
	}
	return KindUnknown
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanString returns the body of the JSON string starting at b[i] (escapes
// are validated but kept as they are: the protocol's own values never
// contain any) and the index after its closing quote.
func scanString(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, 0, false
	}
	start := i + 1
	for j := start; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return b[start:j], j + 1, true
		case c < 0x20:
			return nil, 0, false
		case c == '\\':
			j++
			if j >= len(b) {
				return nil, 0, false
			}
			switch b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(b) || !isHex(b[j+1]) || !isHex(b[j+2]) || !isHex(b[j+3]) || !isHex(b[j+4]) {
					return nil, 0, false
				}
				j += 4
			default:
				return nil, 0, false
			}
		}
	}
	return nil, 0, false
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// scanInt parses a JSON integer (no fraction or exponent) without overflow.
func scanInt(b []byte, i int) (int64, int, bool) {
	neg := false
	if i < len(b) && b[i] == '-' {
		neg = true
		i++
	}
	start := i
	var n int64
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		d := int64(b[i] - '0')
		if n > (1<<63-1-d)/10 {
			return 0, 0, false
		}
		n = n*10 + d
		i++
	}
	if i == start || (b[start] == '0' && i-start > 1) {
		return 0, 0, false
	}
	if neg {
		n = -n
	}
	return n, i, true
}

// AppendSend appends a client's message {"type":"send","c":client,"id":id,
// "t":t,"p":"…"} to dst: t is its enqueue time (the client's clock, ns),
// and the padding p makes the message size bytes long when size is larger
// than the message without it.
func AppendSend(dst []byte, client, id uint64, t int64, size int) []byte {
	start := len(dst)
	dst = append(dst, `{"type":"send","c":`...)
	dst = strconv.AppendUint(dst, client, 10)
	dst = append(dst, `,"id":`...)
	dst = strconv.AppendUint(dst, id, 10)
	dst = append(dst, `,"t":`...)
	dst = strconv.AppendInt(dst, t, 10)
	if pad := size - (len(dst) - start) - len(`,"p":""}`); pad > 0 {
		dst = append(dst, `,"p":"`...)
		for pad > 0 {
			n := min(pad, len(padding))
			dst = append(dst, padding[:n]...)
			pad -= n
		}
		dst = append(dst, '"')
	}
	return append(dst, '}')
}

// padding fills a client message up to its size, a chunk at a time.
const padding = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

// AppendAck appends the server's acknowledgement {"type":"ack","id":id} to
// dst, with "dup":1 when the server had already received that message.
func AppendAck(dst []byte, id uint64, dup bool) []byte {
	dst = append(dst, `{"type":"ack","id":`...)
	dst = strconv.AppendUint(dst, id, 10)
	if dup {
		dst = append(dst, `,"dup":1`...)
	}
	return append(dst, '}')
}

// AppendDirect appends a message the server sends one client,
// {"type":"direct","id":id,"t":t}: id numbers the client's own messages
// from 1, t is when the server produced it (Unix ns).
func AppendDirect(dst []byte, id uint64, t int64) []byte {
	dst = append(dst, `{"type":"direct","id":`...)
	dst = strconv.AppendUint(dst, id, 10)
	dst = append(dst, `,"t":`...)
	dst = strconv.AppendInt(dst, t, 10)
	return append(dst, '}')
}
