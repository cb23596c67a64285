package signalr

import (
	"testing"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
)

// FuzzReceive: whatever a server sends, during the handshake or after,
// the profile does not panic, keeps no partial message or resume state,
// names the rule of every Malformed event, and still handshakes and pings
// afterwards.
func FuzzReceive(f *testing.F) {
	for _, s := range []string{hsOK, pingRec, tickRec, closeRec, closeBare, hsOK + tickRec + pingRec,
		"{\"error\":\"x\"}\x1e", "{\"type\":1,\"target\":\"t\\u0069ck\",\"arguments\":[1]}\x1e", "{\"type\":6}", "\x1e\x1e"} {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, msg []byte, handshaken bool) {
		p := mustNew(t, config(t, nil))
		c := &profiletest.Conn{}
		st := &profile.State{}
		p.Open(c, st)
		if handshaken {
			p.Receive(c, st, ws.OpText, []byte(hsOK))
		}
		p.Receive(c, st, ws.OpText, append([]byte(nil), msg...))
		p.Receive(c, st, ws.OpText, msg)
		if st.Partial != nil || st.Resume != nil {
			t.Fatalf("Partial %q, Resume %q", st.Partial, st.Resume)
		}
		for _, e := range c.Events {
			if e.Kind == profile.Malformed && e.Rule == "" {
				t.Fatal("Malformed without a rule")
			}
		}
		c.Reset()
		p.Open(c, st)
		p.Ping(c, st)
		if got := c.Payloads(); len(got) != 2 || got[0] != hs || got[1] != pingRec {
			t.Fatalf("afterwards sent %q", got)
		}
	})
}
