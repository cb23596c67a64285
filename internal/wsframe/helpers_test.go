package wsframe

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/gobwas/ws"
)

// event is one Handler call as a test sees it.
type event struct {
	kind    byte // 'M' message, 'S' skipped, 'C' control
	op      ws.OpCode
	payload string
	size    int64
	wire    int
}

func (e event) String() string {
	return fmt.Sprintf("%c %v %q size=%d wire=%d", e.kind, e.op, e.payload, e.size, e.wire)
}

// recorder is a Handler that records every call. stopAt, when positive,
// makes the stopAt-th call return false.
type recorder struct {
	events []event
	stopAt int
	keep   int // when positive, Message payloads longer than this are recorded as a violation
	over   int // payloads seen longer than keep
}

func (r *recorder) add(e event) bool {
	r.events = append(r.events, e)
	return r.stopAt <= 0 || len(r.events) != r.stopAt
}

func (r *recorder) Message(_ time.Duration, op ws.OpCode, p []byte, wire int) bool {
	if r.keep > 0 && len(p) > r.keep {
		r.over++
	}
	return r.add(event{'M', op, string(p), int64(len(p)), wire})
}

func (r *recorder) Skipped(_ time.Duration, op ws.OpCode, size int64, wire int) bool {
	return r.add(event{'S', op, "", size, wire})
}

func (r *recorder) Control(_ time.Duration, op ws.OpCode, p []byte, wire int) bool {
	if len(p) > MaxControlPayload {
		r.over++
	}
	return r.add(event{'C', op, string(p), int64(len(p)), wire})
}

// msg and ctl build expected events.
func msg(op ws.OpCode, p string, wire int) event { return event{'M', op, p, int64(len(p)), wire} }
func ctl(op ws.OpCode, p string, wire int) event { return event{'C', op, p, int64(len(p)), wire} }

// raw builds one frame with any header bits, masked with key when it is
// non-nil, in its minimal length encoding.
func raw(fin bool, rsv byte, op ws.OpCode, payload []byte, key *[4]byte) []byte {
	b0 := rsv<<4 | byte(op)
	if fin {
		b0 |= 0x80
	}
	var m byte
	if key != nil {
		m = 0x80
	}
	b := []byte{b0}
	switch n := len(payload); {
	case n < 126:
		b = append(b, m|byte(n))
	case n <= 0xffff:
		b = append(b, m|126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, m|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	if key != nil {
		b = append(b, key[:]...)
	}
	start := len(b)
	b = append(b, payload...)
	if key != nil {
		ws.Cipher(b[start:], *key, 0)
	}
	return b
}

// feedChunks feeds stream (copied: Feed unmasks in place) cut at the
// given offsets, stopping at the first error, and returns what was
// delivered and the error.
func feedChunks(cfg *Config, stream []byte, cuts []int) ([]event, *Decoder, error) {
	data := append([]byte(nil), stream...)
	var d Decoder
	rec := &recorder{}
	prev := 0
	var err error
	for _, c := range append(cuts, len(data)) {
		if err = d.Feed(cfg, data[prev:c], rec, 0); err != nil {
			break
		}
		prev = c
	}
	return rec.events, &d, err
}

// byteCuts cuts after every byte.
func byteCuts(n int) []int {
	cuts := make([]int, 0, n)
	for i := 1; i < n; i++ {
		cuts = append(cuts, i)
	}
	return cuts
}

func sameEvents(a, b []event) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
