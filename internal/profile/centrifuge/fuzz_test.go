package centrifuge

import (
	"testing"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
)

// FuzzReceive: whatever a server sends, before or after the join, the
// profile does not panic, keeps no partial message and a bounded resume
// position, reports every message it does not understand, and still
// builds a well-formed join afterwards.
func FuzzReceive(f *testing.F) {
	for _, s := range []string{
		connectReply, subscribeReply, pub9, `{}`, connectReply + "\n" + subscribeReply + "\n" + pub9,
		`{"id":2,"subscribe":{"recoverable":true,"epoch":"EP","publications":[{"data":{"seq":9},"offset":9}],"recovered":true,"offset":8}}`,
		`{"id":2,"error":{"code":103,"message":"permission denied","temporary":true}}`,
		`{"push":{"disconnect":{"code":3001,"reason":"shutdown"}}}`,
		`{"push":{"channel":"ticks","unsubscribe":{"code":2500}}}`,
		`{"push":`, "\n\n{}\n", `[1]`,
	} {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, msg []byte, opened bool) {
		p := mustNew(t, config(t, func(c *profile.Config) { c.Resume = true }))
		c := &profiletest.Conn{}
		st := &profile.State{}
		if opened {
			p.Open(c, st)
		}
		p.Receive(c, st, ws.OpText, append([]byte(nil), msg...))
		p.Receive(c, st, ws.OpText, msg)
		if st.Partial != nil {
			t.Fatalf("Partial %q", st.Partial)
		}
		if len(st.Resume) > 8+maxEpoch {
			t.Fatalf("Resume of %d bytes", len(st.Resume))
		}
		for _, e := range c.Events {
			if e.Kind == profile.Malformed && e.Rule == "" {
				t.Fatal("Malformed without a rule")
			}
		}
		c.Reset()
		p.Open(c, st)
		if len(c.Sent) != 1 {
			t.Fatalf("Open sent %d messages", len(c.Sent))
		}
	})
}
