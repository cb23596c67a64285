package wsframe

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// TestDecodesGobwasFrames cross-checks the decoder against gobwas/ws as
// the reference encoder: server frames (unmasked, read in the Client role)
// and client frames (masked with random keys, read in the Server role),
// whole messages and messages fragmented by wsutil.Writer.
func TestDecodesGobwasFrames(t *testing.T) {
	long := strings.Repeat("stormbench ☂ ", 40) // 560 bytes, multi-byte
	for _, side := range []struct {
		role  Role
		state ws.State
	}{{Client, ws.StateServerSide}, {Server, ws.StateClientSide}} {
		var buf bytes.Buffer
		var want []event
		mark := func() int { return buf.Len() }
		add := func(start int, e event) {
			e.wire = buf.Len() - start
			want = append(want, e)
		}
		for _, m := range []struct {
			op ws.OpCode
			p  string
		}{
			{ws.OpText, `{"type":"msg","seq":1}`},
			{ws.OpBinary, "\x00\xff\x10"},
			{ws.OpPing, "12345678"},
			{ws.OpPong, ""},
			{ws.OpText, long},
			{ws.OpBinary, strings.Repeat("\x01", 70000)},
		} {
			start := mark()
			if err := wsutil.WriteMessage(&buf, side.state, m.op, []byte(m.p)); err != nil {
				t.Fatal(err)
			}
			switch {
			case m.op.IsControl():
				add(start, ctl(m.op, m.p, 0))
			case len(m.p) > DefaultKeep:
				add(start, event{'S', m.op, "", int64(len(m.p)), 0})
			default:
				add(start, msg(m.op, m.p, 0))
			}
		}
		// Fragmented by gobwas's buffered writer: 16-byte fragments.
		start := mark()
		w := wsutil.NewWriterSize(&buf, side.state, ws.OpText, 16)
		for i := 0; i < len(long); i += 5 {
			// Small writes: a large one on an empty buffer goes out whole.
			if _, err := w.Write([]byte(long[i:min(i+5, len(long))])); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if buf.Len()-start < len(long)+2*len(long)/16 {
			t.Fatal("expected 16-byte fragments")
		}
		add(start, msg(ws.OpText, long, 0))
		// A close frame built by gobwas ends the stream.
		start = mark()
		body := ws.NewCloseFrameBody(ws.StatusGoingAway, "bye ☂")
		if err := wsutil.WriteMessage(&buf, side.state, ws.OpClose, body); err != nil {
			t.Fatal(err)
		}
		add(start, ctl(ws.OpClose, string(body), 0))

		cfg := &Config{Role: side.role}
		stream := buf.Bytes()
		for _, cuts := range [][]int{nil, {1, 2, 3, 100, 101, 5000, 70033}} {
			got, _, err := feedChunks(cfg, stream, cuts)
			if err != nil || !sameEvents(got, want) {
				t.Fatalf("role %d: got %v, %v\nwant %v", side.role, got, err, want)
			}
		}
	}
}
