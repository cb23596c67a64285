package mqtt

import (
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
)

// Receive implements profile.Profile. A WebSocket message may end inside
// a packet and the next one carry the rest (MQTT 3.1.1 §6): the start of
// an unfinished packet waits in st.Partial, never more than MaxPacket
// bytes, since a packet announcing more is Malformed at its fixed header.
func (p *Profile) Receive(c profile.Conn, st *profile.State, op ws.OpCode, msg []byte) {
	if st.Step == stepDone {
		return
	}
	if op != ws.OpBinary {
		p.fail(c, st, ruleText)
		return
	}
	if len(st.Partial) > 0 {
		if msg = p.finishPartial(c, st, msg); msg == nil {
			return
		}
	}
	for len(msg) > 0 {
		total, rule := frameLen(msg)
		if rule != "" {
			p.fail(c, st, rule)
			return
		}
		if total == 0 || total > len(msg) {
			st.Partial = append(st.Partial[:0], msg...)
			return
		}
		if !p.packet(c, st, msg[:total]) {
			return
		}
		msg = msg[total:]
	}
}

// finishPartial completes the packet waiting in st.Partial with the bytes
// it needs from msg, handles it, and returns the rest of msg; nil when
// nothing is left to read (msg used up, or the connection failed).
func (p *Profile) finishPartial(c profile.Conn, st *profile.State, msg []byte) []byte {
	for {
		total, rule := frameLen(st.Partial)
		if rule != "" {
			p.fail(c, st, rule)
			return nil
		}
		if total == 0 { // the fixed header is still incomplete: one byte at a time
			if len(msg) == 0 {
				return nil
			}
			st.Partial, msg = append(st.Partial, msg[0]), msg[1:]
			continue
		}
		need := total - len(st.Partial)
		if need > len(msg) {
			st.Partial = append(st.Partial, msg...)
			return nil
		}
		st.Partial, msg = append(st.Partial, msg[:need]...), msg[need:]
		ok := p.packet(c, st, st.Partial)
		releasePartial(st)
		if !ok || len(msg) == 0 {
			return nil
		}
		return msg
	}
}

// fail reports a Malformed packet; the connection reads nothing more.
func (p *Profile) fail(c profile.Conn, st *profile.State, rule string) {
	st.Step, st.Partial = stepDone, nil
	c.Event(profile.Event{Kind: profile.Malformed, Rule: rule})
}

// packet handles one whole packet and reports whether to read on.
func (p *Profile) packet(c profile.Conn, st *profile.State, pkt []byte) bool {
	typ, flags := pkt[0]>>4, pkt[0]&0x0f
	_, size := readVarint(pkt[1:])
	body := pkt[1+size:]
	if st.Step == stepConnect && typ != connack {
		p.fail(c, st, ruleFirst)
		return false
	}
	if typ != publish && flags != 0 && !(typ == pubrel || typ == subscribe || typ == unsubscribe) {
		p.fail(c, st, ruleFlags)
		return false
	}
	switch typ {
	case publish:
		return p.publish(c, st, flags, body)
	case pingresp:
		if len(body) != 0 {
			p.fail(c, st, ruleShort)
			return false
		}
		c.Event(profile.Event{Kind: profile.Pong})
		return true
	case connack:
		return p.connack(c, st, body)
	case suback:
		return p.suback(c, st, body)
	case disconnect:
		return p.disconnect(c, st, body)
	case puback, pubrec, pubrel, pubcomp, unsuback:
		// Acknowledgements of what this client never sends.
		c.Event(profile.Event{Kind: profile.Unrecognised})
		return true
	case auth:
		if p.version == V5 {
			c.Event(profile.Event{Kind: profile.Unrecognised})
			return true
		}
		p.fail(c, st, ruleReserved)
		return false
	case connect, subscribe, unsubscribe, pingreq:
		p.fail(c, st, ruleClientPacket)
		return false
	}
	p.fail(c, st, ruleReserved)
	return false
}

// publish reports a PUBLISH (§3.3) as data and acknowledges QoS 1.
func (p *Profile) publish(c profile.Conn, st *profile.State, flags byte, b []byte) bool {
	qos := flags >> 1 & 3
	switch qos {
	case 3:
		p.fail(c, st, ruleQoS3)
		return false
	case 2:
		p.fail(c, st, ruleQoS2)
		return false
	}
	if len(b) < 2 {
		p.fail(c, st, ruleShort)
		return false
	}
	n := 2 + (int(b[0])<<8 | int(b[1]))
	var id uint16
	if qos == 1 {
		n += 2
		if n <= len(b) {
			id = uint16(b[n-2])<<8 | uint16(b[n-1])
			if id == 0 {
				p.fail(c, st, rulePacketID)
				return false
			}
		}
	}
	if n > len(b) {
		p.fail(c, st, ruleShort)
		return false
	}
	if p.version == V5 {
		l, size := readVarint(b[n:])
		if size == 0 || n+size+l > len(b) {
			p.fail(c, st, ruleProperties)
			return false
		}
		n += size + l
	}
	c.Data(b[n:], 0, false)
	if qos == 1 {
		sendPuback(c, id)
	}
	return true
}

// connack handles the broker's answer to CONNECT (§3.2): refused, or
// connected, then subscribe — unless a persistent session that already
// holds the subscription was resumed.
func (p *Profile) connack(c profile.Conn, st *profile.State, b []byte) bool {
	if st.Step != stepConnect {
		p.fail(c, st, ruleSecondConnack)
		return false
	}
	if len(b) < 2 || (p.version == V311 && len(b) != 2) {
		p.fail(c, st, ruleShort)
		return false
	}
	ack, code := b[0], b[1]
	var pr props
	pr.keepAlive = -1
	if p.version == V5 && len(b) > 2 {
		var ok bool
		if pr, _, ok = readProps(b[2:]); !ok {
			p.fail(c, st, ruleProperties)
			return false
		}
	}
	if code != 0 {
		p.refuse(c, st, int(code), pr.reason, reasonName(p.version, code, true))
		return false
	}
	if ack&^1 != 0 {
		p.fail(c, st, ruleConnackFlags)
		return false
	}
	present := ack&1 == 1
	if present && !p.persistent {
		p.fail(c, st, ruleSessionClean)
		return false
	}
	e := profile.Event{Kind: profile.Other}
	if pr.keepAlive > 0 {
		// MQTT 5 §3.2.2.3.14: the broker's keep-alive replaces the
		// client's; MQTT.js then gives up after 1.5 times it.
		e.HeartbeatTimeout = time.Duration(pr.keepAlive) * 1500 * time.Millisecond
	}
	c.Event(e)
	if present && st.Resume != nil {
		st.Step, st.Ready = stepReady, true
		c.Event(profile.Event{Kind: profile.Ready})
		return true
	}
	st.Resume = nil
	p.subscribe(c, st)
	return true
}

// suback handles the answer to SUBSCRIBE (§3.9): one code per topic
// filter; any failure refuses the join.
func (p *Profile) suback(c profile.Conn, st *profile.State, b []byte) bool {
	if len(b) < 2 {
		p.fail(c, st, ruleShort)
		return false
	}
	if st.Step != stepSubscribe || uint16(b[0])<<8|uint16(b[1]) != packetID(st.Ref) {
		p.fail(c, st, ruleSuback)
		return false
	}
	b = b[2:]
	var pr props
	if p.version == V5 {
		var n int
		var ok bool
		if pr, n, ok = readProps(b); !ok {
			p.fail(c, st, ruleProperties)
			return false
		}
		b = b[n:]
	}
	if len(b) != len(p.joins) {
		p.fail(c, st, ruleSubackCount)
		return false
	}
	for _, code := range b {
		if code >= 0x80 {
			p.refuse(c, st, int(code), pr.reason, reasonName(p.version, code, false))
			return false
		}
		if code > 2 {
			p.fail(c, st, ruleSubackCode)
			return false
		}
	}
	st.Step, st.Ready = stepReady, true
	if p.persistent {
		st.Resume = subscribed
	}
	c.Event(profile.Event{Kind: profile.Ready})
	return true
}

// disconnect reports the broker's DISCONNECT (MQTT 5 §3.14; MQTT 3.1.1
// has none from the server, but a broker that sends one means the same).
func (p *Profile) disconnect(c profile.Conn, st *profile.State, b []byte) bool {
	e := profile.Event{Kind: profile.Goodbye, Reason: normalDisconnection}
	if p.version == V5 && len(b) > 0 {
		if e.Code = int(b[0]); e.Code != 0 {
			e.Reason = reasonNames[b[0]]
		}
		if len(b) > 1 {
			pr, _, ok := readProps(b[1:])
			if !ok {
				p.fail(c, st, ruleProperties)
				return false
			}
			if pr.reason != nil {
				e.Reason = pr.reason
			}
		}
	}
	st.Step = stepDone
	c.Event(e)
	return false
}

// normalDisconnection is the name of DISCONNECT's reason code 0.
var normalDisconnection = []byte("normal disconnection")

// refuse reports a refused join: the broker's reason string when it gave
// one (MQTT 5), else the code's name.
func (p *Profile) refuse(c profile.Conn, st *profile.State, code int, reason, name []byte) {
	if reason == nil {
		reason = name
	}
	st.Step = stepDone
	c.Event(profile.Event{Kind: profile.Refused, Code: code, Reason: reason})
}
