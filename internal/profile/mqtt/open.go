package mqtt

import (
	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
)

// Steps of a connection (profile.State.Step).
const (
	// stepConnect: CONNECT sent, waiting for CONNACK.
	stepConnect uint8 = iota
	// stepSubscribe: SUBSCRIBE sent, waiting for SUBACK.
	stepSubscribe
	// stepReady: subscribed; PUBLISHes flow.
	stepReady
	// stepDone: refused, said goodbye or broke the protocol: the rest of
	// the connection is ignored.
	stepDone
)

// subscribed is State.Resume of a persistent session whose subscription
// the broker acknowledged: a CONNACK with session present then needs no
// new SUBSCRIBE.
var subscribed = []byte("subscribed")

// keepPartial is the capacity of State.Partial kept between packets split
// across messages. A larger buffer (a long packet's) is let go once the
// packet is whole: a split packet longer than this allocates its buffer,
// where keeping it would hold that many bytes in every client that ever
// received one, for the client's life (measured: ~1.6 KB per client, 3×
// a held client's whole cost, with 1 KB broadcasts split in two). Short
// split packets, the common case, allocate nothing.
const keepPartial = 256

// Open implements profile.Profile: it sends CONNECT (§3.1) with the
// client's identifier, keep-alive and session flags, and the user name
// when there is one.
func (p *Profile) Open(c profile.Conn, st *profile.State) {
	st.Step, st.Ready = stepConnect, false
	releasePartial(st)
	if !p.persistent {
		st.Resume = nil
	}
	v := c.Vars()
	b := append(c.Buffer(), 0, 0, 0, 0, 0)
	flags := byte(0)
	if !p.persistent {
		flags |= 0x02 // clean session (3.1.1) / clean start (5)
	}
	if p.auth != nil {
		flags |= 0x80 // user name
	}
	b = append(b, 0, 4, 'M', 'Q', 'T', 'T', p.version, flags, byte(p.keepAlive>>8), byte(p.keepAlive))
	if p.version == V5 {
		if p.persistent {
			e := uint32(SessionExpiry.Seconds())
			b = append(b, 5, 0x11, byte(e>>24), byte(e>>16), byte(e>>8), byte(e))
		} else {
			b = append(b, 0)
		}
	}
	at := len(b)
	b = p.clientID.Append(append(b, 0, 0), v)
	putString(b, at)
	if p.auth != nil {
		at = len(b)
		b = p.auth.Append(append(b, 0, 0), v)
		putString(b, at)
	}
	c.Send(profile.SendControl, ws.OpBinary, seal(b, connect<<4))
}

// subscribe sends one SUBSCRIBE (§3.8) with every topic filter at the
// configured QoS, under the next packet identifier.
func (p *Profile) subscribe(c profile.Conn, st *profile.State) {
	st.Ref++
	id := packetID(st.Ref)
	v := c.Vars()
	b := append(c.Buffer(), 0, 0, 0, 0, 0, byte(id>>8), byte(id))
	if p.version == V5 {
		b = append(b, 0) // no properties
	}
	for _, j := range p.joins {
		at := len(b)
		b = j.Append(append(b, 0, 0), v)
		putString(b, at)
		b = append(b, p.qos) // 5: no-local, retain-as-published off, retain handling 0
	}
	st.Step = stepSubscribe
	c.Send(profile.SendControl, ws.OpBinary, seal(b, subscribe<<4|0x02))
}

// packetID maps a counter to the packet identifiers 1…65535 (0 is not
// one, §2.3.1).
func packetID(ref uint32) uint16 { return uint16((ref-1)%0xffff + 1) }

// sendPuback acknowledges a QoS 1 PUBLISH (§3.4); in MQTT 5 the reason code
// Success and empty properties may be left out (MQTT 5 §3.4.2.1).
func sendPuback(c profile.Conn, id uint16) {
	c.Send(profile.SendControl, ws.OpBinary, append(c.Buffer(), puback<<4, 2, byte(id>>8), byte(id)))
}

// releasePartial empties State.Partial, keeping a small buffer for the
// next split packet.
func releasePartial(st *profile.State) {
	if cap(st.Partial) > keepPartial {
		st.Partial = nil
	} else if st.Partial != nil {
		st.Partial = st.Partial[:0]
	}
}
