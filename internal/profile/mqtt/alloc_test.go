package mqtt

import (
	"testing"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
)

// ready returns a connection of p that is ready, and a Quiet Conn.
func ready(t testing.TB, p *Profile) (*profiletest.Quiet, *profile.State) {
	q := profiletest.NewQuiet(256)
	st := &profile.State{}
	p.Open(q, st)
	connack, suback := hx("20020000"), hx("9003000100")
	if p.version == V5 {
		connack, suback = hx("2003000000"), hx("900400010000")
	}
	p.Receive(q, st, ws.OpBinary, connack)
	suback[3] = byte(packetID(st.Ref))
	p.Receive(q, st, ws.OpBinary, suback)
	if !st.Ready {
		t.Fatalf("not ready (last event %d)", q.LastKind)
	}
	return q, st
}

// hot is what a ready connection does all day: a heartbeat round, a QoS 0
// and a QoS 1 PUBLISH (with its PUBACK), a PUBLISH split across two
// messages, and several packets in one message.
var hot = []struct {
	name string
	msgs []string
}{
	{"heartbeat", []string{"d000"}},
	{"publish-qos0", []string{"301000057469636b737b22736571223a377d"}},
	{"publish-qos1", []string{"321200057469636b7300077b22736571223a377d"}},
	{"publish-split", []string{"321200057469636b", "7300077b22736571223a377d"}},
	{"batch", []string{"301000057469636b737b22736571223a377d301000057469636b737b22736571223a387dd000"}},
}

// hotMsgs returns h's messages for version, or nil where h does not apply
// (the split and batch framing are written for 3.1.1; MQTT 5 runs the
// same code for them).
func hotMsgs(version int, name string, hexes []string) [][]byte {
	if version == V5 && (name == "publish-split" || name == "batch") {
		return nil
	}
	msgs := make([][]byte, len(hexes))
	for i, m := range hexes {
		msgs[i] = hx(m)
		if version == V5 && msgs[i][0]>>4 == publish {
			msgs[i] = v5Publish(msgs[i])
		}
	}
	return msgs
}

// once is one round of h on a ready connection.
func once(p *Profile, q *profiletest.Quiet, st *profile.State, name string, msgs [][]byte) {
	if name == "heartbeat" {
		p.Ping(q, st)
	}
	for _, m := range msgs {
		p.Receive(q, st, ws.OpBinary, m)
	}
}

// TestReadyAllocs: once ready, a connection allocates nothing per
// message, for MQTT 3.1.1 and 5.
func TestReadyAllocs(t *testing.T) {
	for _, version := range []int{V311, V5} {
		p := mustNew(t, config(t, func(c *profile.Config) { c.Version, c.QoS = version, 1 }))
		q, st := ready(t, p)
		for _, h := range hot {
			msgs := hotMsgs(version, h.name, h.msgs)
			if msgs == nil {
				continue
			}
			datas := q.Datas
			allocs := testing.AllocsPerRun(100, func() { once(p, q, st, h.name, msgs) })
			if allocs != 0 {
				t.Errorf("MQTT %d %s: %v allocations", version, h.name, allocs)
			}
			if st.Step != stepReady || (h.name != "heartbeat" && q.Datas == datas) {
				t.Fatalf("MQTT %d %s: no data or the connection failed (event %d)", version, h.name, q.LastKind)
			}
		}
	}
}

// v5Publish inserts an empty property length after a 3.1.1 PUBLISH's
// topic and packet identifier.
func v5Publish(b []byte) []byte {
	n := 2 + (int(b[2])<<8 | int(b[3]))
	if (b[0]>>1)&3 > 0 {
		n += 2
	}
	out := append([]byte{b[0], b[1] + 1}, b[2:2+n]...)
	out = append(out, 0)
	return append(out, b[2+n:]...)
}

func BenchmarkReceive(b *testing.B) {
	for _, version := range []int{V311, V5} {
		for _, h := range hot {
			msgs := hotMsgs(version, h.name, h.msgs)
			if msgs == nil {
				continue
			}
			b.Run(map[int]string{V311: "3.1.1", V5: "5"}[version]+"/"+h.name, func(b *testing.B) {
				p := mustNew(b, config(b, func(c *profile.Config) { c.Version, c.QoS = version, 1 }))
				q, st := ready(b, p)
				b.ReportAllocs()
				for b.Loop() {
					once(p, q, st, h.name, msgs)
				}
				if st.Step != stepReady {
					b.Fatalf("the connection failed (event %d)", q.LastKind)
				}
			})
		}
	}
}

// BenchmarkOpen is one connection attempt's CONNECT.
func BenchmarkOpen(b *testing.B) {
	p := mustNew(b, config(b, func(c *profile.Config) { c.ClientID = nil }))
	q := profiletest.NewQuiet(256)
	st := &profile.State{}
	b.ReportAllocs()
	for b.Loop() {
		q.V.Client++
		p.Open(q, st)
	}
}

// TestOpenAllocs: a connection attempt's CONNECT, and the SUBSCRIBE after
// CONNACK, allocate nothing.
func TestOpenAllocs(t *testing.T) {
	for _, version := range []int{V311, V5} {
		p := mustNew(t, config(t, func(c *profile.Config) {
			c.Version, c.Persistent, c.QoS, c.ClientID, c.Auth = version, true, 1, nil, tmpl(t, "user-{{client}}")
		}))
		q := profiletest.NewQuiet(256)
		st := &profile.State{}
		connack := hx("20020000")
		if version == V5 {
			connack = hx("2003000000")
		}
		allocs := testing.AllocsPerRun(100, func() {
			q.V.Client++
			p.Open(q, st)
			p.Receive(q, st, ws.OpBinary, connack)
		})
		if allocs != 0 {
			t.Errorf("MQTT %d: %v allocations per attempt", version, allocs)
		}
		if st.Step != stepSubscribe {
			t.Errorf("MQTT %d: no SUBSCRIBE (event %d)", version, q.LastKind)
		}
	}
}
