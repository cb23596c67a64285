package mqtt

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gobwas/ws"
)

// TestSplitPacketBufferReleased: a PUBLISH split across two messages is
// counted once when whole; a long one does not leave its buffer in the
// client's state (every client that ever got one would keep it), a short
// one keeps at most keepPartial for the next.
func TestSplitPacketBufferReleased(t *testing.T) {
	for _, pad := range []int{10, 200, 2000, 20000} {
		t.Run(fmt.Sprint(pad), func(t *testing.T) {
			p := mustNew(t, config(t, nil))
			q, st := ready(t, p)
			payload := fmt.Sprintf(`{"seq":7,"pad":%q}`, strings.Repeat("x", pad))
			body := append([]byte{0, 5}, "ticks"...)
			body = append(body, payload...)
			pkt := []byte{publish << 4}
			for n := len(body); ; n >>= 7 { // remaining length, §1.5.5
				if n < 0x80 {
					pkt = append(pkt, byte(n))
					break
				}
				pkt = append(pkt, byte(n&0x7f|0x80))
			}
			pkt = append(pkt, body...)
			half := len(pkt) / 2
			p.Receive(q, st, ws.OpBinary, pkt[:half])
			if q.Datas != 0 {
				t.Fatalf("counted %d messages from half a packet", q.Datas)
			}
			p.Receive(q, st, ws.OpBinary, pkt[half:])
			if q.Datas != 1 {
				t.Fatalf("%d messages, want 1", q.Datas)
			}
			if len(st.Partial) != 0 || cap(st.Partial) > 256 { // the bound docs/benchmarks.md states
				t.Fatalf("state keeps %d bytes (cap %d) after a %d-byte packet; at most 256", len(st.Partial), cap(st.Partial), len(pkt))
			}
		})
	}
}
