package stomp

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gobwas/ws"
)

// TestSplitFrameBufferReleased: a MESSAGE split across two WebSocket
// messages is counted once when whole; a long one does not leave its
// buffer in the client's state (every client that ever got one would keep
// it), a short one keeps at most keepPartial for the next.
func TestSplitFrameBufferReleased(t *testing.T) {
	for _, pad := range []int{10, 200, 2000, 20000} {
		t.Run(fmt.Sprint(pad), func(t *testing.T) {
			p := mustNew(t, config(t, nil))
			q, st := ready(t, p)
			frame := fmt.Sprintf("MESSAGE\nsubscription:sub-0\ndestination:/topic/ticks\n\n{\"seq\":7,\"pad\":%q}\x00\n", strings.Repeat("x", pad))
			half := len(frame) / 2
			p.Receive(q, st, ws.OpText, []byte(frame[:half]))
			if q.Datas != 0 {
				t.Fatalf("counted %d messages from half a frame", q.Datas)
			}
			p.Receive(q, st, ws.OpText, []byte(frame[half:]))
			if q.Datas != 1 {
				t.Fatalf("%d messages, want 1", q.Datas)
			}
			if len(st.Partial) != 0 || cap(st.Partial) > 256 { // the bound docs/benchmarks.md states
				t.Fatalf("state keeps %d bytes (cap %d) after a %d-byte frame; at most 256", len(st.Partial), cap(st.Partial), len(frame))
			}
		})
	}
}
