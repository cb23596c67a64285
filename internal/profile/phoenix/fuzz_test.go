package phoenix

import (
	"testing"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
)

// FuzzReceive: whatever a server sends, text or binary, before or after
// the join, the profile does not panic, keeps no partial message or
// resume state, names the rule of every Malformed event, and still joins
// and pings afterwards.
func FuzzReceive(f *testing.F) {
	for _, s := range []string{
		joinOK, beatOK, tick, `["1","1","room:lobby","phx_reply",{"status":"error","response":{"reason":"x"}}]`,
		`["1","1","room:lobby","phx_error",{"reason":"channel_crash"}]`, `[null,null,"t","e"`, `{}`,
	} {
		f.Add([]byte(s), false, true)
	}
	for _, s := range []string{"\x02\x0a\x04room:lobbytick{}", "\x01\x01\x01\x0a\x02" + "11room:lobbyok{}", "\x00\x01\x0a\x04"} {
		f.Add([]byte(s), true, true)
	}
	f.Fuzz(func(t *testing.T, msg []byte, binary, opened bool) {
		p := mustNew(t, config(t, nil))
		c := &profiletest.Conn{}
		st := &profile.State{}
		if opened {
			p.Open(c, st)
			p.Ping(c, st)
		}
		op := ws.OpText
		if binary {
			op = ws.OpBinary
		}
		p.Receive(c, st, op, append([]byte(nil), msg...))
		p.Receive(c, st, op, msg)
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
		if len(c.Sent) != 2 || c.Sent[0].Payload != joinSent || c.Sent[1].Payload != `[null,"2","phoenix","heartbeat",{}]` {
			t.Fatalf("afterwards sent %q", c.Payloads())
		}
	})
}
