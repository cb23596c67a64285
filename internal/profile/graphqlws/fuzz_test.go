package graphqlws

import (
	"testing"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
	"github.com/stormbench/stormbench/internal/template"
)

// FuzzReceive: whatever a server sends, before or after the ack, Receive
// does not panic, reports at most one event and one datum per message,
// keeps no partial bytes, gives every Malformed event a rule, answers
// only with a pong, and reports data only from inside the message.
func FuzzReceive(f *testing.F) {
	for _, s := range []string{
		ack, `{"type":"ping","payload":{"a":[1,{"b":"\u00e9"}]}}`, `{"type":"pong"}`,
		`{"id":"` + id7 + `","type":"next","payload":{"data":{"ticks":{"seq":1}}}}`,
		`{"id":"` + id7 + `","type":"error","payload":[{"message":"x\"y"}]}`,
		`{"id":"` + id7 + `","type":"complete"}`, `{"type":"next","id":"x","payload":{}}`,
		`{"type":"`, `[1]`, `{"type":"ping","payload":` + "\xff", "",
	} {
		f.Add(false, []byte(s))
		f.Add(true, []byte(s))
	}
	p, err := New(profile.Config{Join: []*template.Template{tmpl(f, query)}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, acked bool, msg []byte) {
		c := &profiletest.Conn{V: template.Vars{Client: 7}}
		st := &profile.State{}
		p.Open(c, st)
		if acked {
			p.Receive(c, st, ws.OpText, []byte(ack))
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
		}
		for _, d := range c.Datums {
			if len(d.Payload) > len(in) {
				t.Fatalf("%q: data %q longer than the message", in, d.Payload)
			}
		}
		for _, s := range c.Sent {
			if s.Kind != profile.SendPong && s.Kind != profile.SendControl {
				t.Fatalf("%q: sent %q as traffic %d", in, s.Payload, s.Kind)
			}
			if len(s.Payload) > len(in)+len(`{"type":"pong","payload":}`)+len(subQuery) {
				t.Fatalf("%q: sent %d bytes", in, len(s.Payload))
			}
		}
		if st.Partial != nil || st.Resume != nil {
			t.Fatalf("%q: state keeps Partial %q, Resume %q", in, st.Partial, st.Resume)
		}
	})
}
