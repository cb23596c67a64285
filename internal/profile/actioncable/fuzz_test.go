package actioncable

import (
	"testing"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
	"github.com/stormbench/stormbench/internal/template"
)

// FuzzReceive: whatever a server sends, at any step of the join, Receive
// does not panic, reports exactly one event or datum per message, keeps
// no partial bytes, gives every Malformed event a rule, sends nothing but
// the one subscribe, and reports data and reasons only from inside the
// message.
func FuzzReceive(f *testing.F) {
	for _, s := range []string{
		welcome, confirm, reject, broadcast, ping,
		`{"type":"disconnect","reason":"x\"y","reconnect":false}`,
		`{"type":"news","identifier":"x","message":"m"}`, `{"message":1,"identifier":2}`,
		`{"type":"`, `[1]`, `{"type":"ping","message":` + "\xff", "",
	} {
		for step := range uint8(3) {
			f.Add(step, []byte(s))
		}
	}
	p, err := New(profile.Config{Join: []*template.Template{tmpl(f, ticks)}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, step uint8, msg []byte) {
		c := &profiletest.Conn{V: template.Vars{Client: 7}}
		st := &profile.State{}
		p.Open(c, st)
		if step%3 > 0 {
			p.Receive(c, st, ws.OpText, []byte(welcome))
		}
		if step%3 > 1 {
			p.Receive(c, st, ws.OpText, []byte(confirm))
		}
		c.Reset()
		in := string(msg)
		p.Receive(c, st, ws.OpText, msg)
		if len(c.Events)+len(c.Datums) != 1 {
			t.Fatalf("%q: %d events and %d data, want one of them:\n%s", in, len(c.Events), len(c.Datums), c)
		}
		for _, e := range c.Events {
			if (e.Kind == profile.Malformed) != (e.Rule != "") {
				t.Fatalf("%q: event %d with rule %q", in, e.Kind, e.Rule)
			}
			if len(e.Reason) > len(in) {
				t.Fatalf("%q: reason %q longer than the message", in, e.Reason)
			}
		}
		for _, d := range c.Datums {
			if len(d.Payload) > len(in) {
				t.Fatalf("%q: data %q longer than the message", in, d.Payload)
			}
		}
		for _, s := range c.Sent {
			if s.Payload != subscribe || step%3 != 0 {
				t.Fatalf("%q at step %d: sent %q", in, step%3, s.Payload)
			}
		}
		if st.Partial != nil || st.Resume != nil {
			t.Fatalf("%q: state keeps Partial %q, Resume %q", in, st.Partial, st.Resume)
		}
	})
}
