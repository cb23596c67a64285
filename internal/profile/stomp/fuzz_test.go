package stomp

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
	"github.com/stormbench/stormbench/internal/template"
)

// FuzzReceive: whatever the server sends, however it is cut into
// messages, Receive does not panic, keeps less than MaxFrame bytes in
// State.Partial, and means the same as when the bytes come in one message
// (but for heart-beats: EOLs after a frame are padding in the same
// message and a beat in the next).
func FuzzReceive(f *testing.F) {
	for _, s := range []string{
		connected + receipt0 + message + "\n" + message,
		badVhost,
		connected + badDest,
		"CONNECTED\nversion:1.2\nheart-beat:5000,0\n\n\x00" + "RECEIPT\nreceipt-id:sub-0\n\n\x00" + "ERROR\nmessage:x\n\n\x00",
		"CONNECTED\r\n\r\n\x00MESSAGE\r\ncontent-length:3\r\n\r\na\x00b\x00\r\n",
		"CONNECTED\n\n\x00MESSAGE\ncontent-length:999999999\n\n",
	} {
		f.Add([]byte(s), []byte{1, 7, 200})
		f.Add([]byte(s), []byte{0})
	}
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		p := mustNew(t, profile.Config{Join: []*template.Template{tmpl(t, "/topic/ticks")}, HeartbeatInterval: time.Second})
		whole := &profiletest.Conn{}
		st := &profile.State{}
		p.Open(whole, st)
		p.Receive(whole, st, ws.OpText, slices.Clone(data))
		if len(st.Partial) >= MaxFrame {
			t.Fatalf("Partial holds %d bytes", len(st.Partial))
		}

		split := &profiletest.Conn{}
		st = &profile.State{}
		p.Open(split, st)
		rest := data
		for i := 0; len(rest) > 0; i++ {
			n := 1
			if len(cuts) > 0 {
				n = int(cuts[i%len(cuts)])
			}
			n = min(max(n, 1), len(rest))
			p.Receive(split, st, ws.OpText, slices.Clone(rest[:n]))
			rest = rest[n:]
			if len(st.Partial) >= MaxFrame {
				t.Fatalf("Partial holds %d bytes", len(st.Partial))
			}
		}
		if a, b := meaning(whole), meaning(split); a != b {
			t.Fatalf("in one message:\n%s\ncut:\n%s", a, b)
		}
	})
}

// meaning is what a Conn recorded, heart-beats left out.
func meaning(c *profiletest.Conn) string {
	var b strings.Builder
	for _, s := range c.Sent {
		fmt.Fprintf(&b, "sent %q\n", s.Payload)
	}
	for _, d := range c.Datums {
		fmt.Fprintf(&b, "data %q\n", d.Payload)
	}
	for _, e := range c.Events {
		if e.Kind != profile.ServerPing {
			fmt.Fprintf(&b, "%s\n", describe(e))
		}
	}
	return b.String()
}
