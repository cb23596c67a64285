package loadgen

import (
	"encoding/binary"
	"strconv"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/jsonpath"
	"github.com/stormbench/stormbench/internal/measure"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/template"
)

// A client speaking a framework's protocol hands every message to the
// fleet's profile, which answers through the client as its profile.Conn.
// Those calls happen within the profile's Receive or Ping, on the loop;
// the time of the message or timer being handled is the shard's rxAt, and
// rxWire holds the message's bytes until the first thing it meant claims
// them.

var _ profile.Conn = (*client)(nil)

// frameworkMessage handles one whole message of a framework's server.
func (c *client) frameworkMessage(p profile.Profile, now time.Duration, op ws.OpCode, msg []byte, wire int) {
	sh := c.sh
	sh.rxAt, sh.rxWire, sh.rxOp, sh.rxMsg = now, wire, op, msg[:min(len(msg), sampleLen)]
	p.Receive(c, c.ps, op, msg)
	if sh.rxWire > 0 {
		// Nothing it meant claimed the bytes (or the client failed the
		// connection first): they were received all the same.
		sh.received(now, TrafficOther, sh.rxWire)
	}
	sh.rxWire, sh.rxMsg = 0, nil
}

// frameworkOpened starts the framework's protocol on a connection just
// upgraded: the client is open, and ready once the profile says so.
func (c *client) frameworkOpened(p profile.Profile, now time.Duration) {
	c.sh.rxAt = now
	p.Open(c, c.ps)
}

// rx counts what the message being read meant: its bytes the first time,
// then one more frame of kind for each further thing it held.
func (c *client) rx(kind Traffic) {
	sh := c.sh
	n := sh.rxWire
	sh.rxWire = 0
	sh.received(sh.rxAt, kind, n)
}

// Vars implements profile.Conn.
func (c *client) Vars() template.Vars {
	sh := c.sh
	return template.Vars{Client: c.id, Shard: sh.cfg.Shard.Index, NowUnixNano: sh.fl.wallBase + int64(sh.rxAt)}
}

// Buffer implements profile.Conn: the shard's scratch payload.
func (c *client) Buffer() []byte { return c.sh.payload[:0] }

// frameworkTraffic maps what a profile sends to the traffic counters.
var frameworkTraffic = [...]Traffic{profile.SendControl: TrafficOther, profile.SendPing: TrafficPing, profile.SendPong: TrafficPong}

// Send implements profile.Conn: one masked frame (RFC 6455 §5.3).
func (c *client) Send(kind profile.Traffic, op ws.OpCode, payload []byte) {
	sh := c.sh
	if c.state != StateOpen {
		return
	}
	var mask [4]byte
	binary.LittleEndian.PutUint32(mask[:], uint32(c.rng.Uint64()))
	t := TrafficOther
	if int(kind) < len(frameworkTraffic) {
		t = frameworkTraffic[kind]
	}
	c.send(sh.fw.Frame(op, payload, &mask), t, sh.rxAt)
	sh.payload = payload[:0] // keep what it grew to
}

// Data implements profile.Conn: a message of the server's stream. Its
// sequence is the protocol's own, or the --seq-field of its payload.
func (c *client) Data(payload []byte, seq int64, hasSeq bool) {
	if c.state != StateOpen {
		return
	}
	sh := c.sh
	c.rx(TrafficMessage)
	if !hasSeq {
		seq, hasSeq = jsonpath.Int(payload, sh.fl.formats.seq)
	}
	if hasSeq {
		c.sequence(seq, sh.rxAt)
	}
}

// Event implements profile.Conn.
func (c *client) Event(e profile.Event) {
	if c.state != StateOpen {
		return
	}
	sh := c.sh
	now := sh.rxAt
	switch e.Kind {
	case profile.Other:
		c.rx(TrafficOther)
	case profile.Unrecognised:
		c.rx(TrafficUnrecognised)
		sh.countText(now, measure.Unrecognised, sh.sample(sh.rxOp, sh.rxMsg))
	case profile.Ready:
		c.rx(TrafficOther)
		c.becameReady(now)
	case profile.ServerPing:
		c.rx(TrafficPing)
		if sh.hb.pings == pingerServer {
			c.lastRecv = now
		}
	case profile.Pong:
		c.rx(TrafficPong)
		if c.pingAt > 0 {
			sh.observe(measure.HeartbeatRTT, now-c.pingAt)
			c.pingAt = 0
		} else {
			sh.count(now, measure.PongsUntimed, 1)
		}
	case profile.Goodbye:
		c.rx(TrafficOther)
		said := sh.said(e.Code, e.Reason)
		if e.Reconnect < 0 {
			// The reference client would stop here; the fleet comes back
			// all the same (the storm is what is measured), and the run
			// says the server asked it not to.
			said = append(said, measure.NoReconnectMark...)
			sh.text = said
		}
		sh.countText(now, measure.Goodbyes, said)
	case profile.Refused:
		c.rx(TrafficOther)
		sh.countText(now, measure.JoinRefusals, sh.said(e.Code, e.Reason))
		c.closeFrame(1000, now) // normal closure: the client leaves (§7.4.1)
		c.dead(now, measure.CauseJoinRefused)
		return
	case profile.Malformed:
		c.rx(TrafficUnrecognised)
		sh.countText(now, measure.ProfileErrors, append(sh.text[:0], e.Rule...))
		c.closeFrame(1002, now) // protocol error (§7.4.1)
		c.dead(now, measure.CauseProtocolError)
		return
	}
	if e.HeartbeatTimeout > 0 && sh.cfg.Heartbeat.FollowServer {
		sh.hbTimeout = e.HeartbeatTimeout
		if sh.hb.pings != pingerNobody {
			// The deadline armed at open used the rule in force then
			// (the reference client's default, 45 s for Socket.IO): a
			// server announcing a shorter one must not wait for it. A
			// client that watches only from this reply
			// (Fleet.watchFromReply) had none armed: this arms it,
			// keeping the join deadline of a client not yet ready.
			at := c.lastRecv + sh.hbTimeout
			if join := c.joinDeadline(); join >= 0 {
				at = min(at, join)
			}
			c.hb.Kind = timerHeartbeatDeadline
			sh.loop.Schedule(&c.hb, at)
		}
	}
}

// said writes what a server said, "code reason" (either may be absent),
// into the shard's scratch, at most maxSaid bytes.
func (sh *shard) said(code int, reason []byte) []byte {
	b := sh.text[:0]
	if code != 0 {
		b = strconv.AppendInt(b, int64(code), 10)
	}
	if len(reason) > 0 {
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = append(b, reason[:min(len(reason), maxSaid)]...)
	}
	if len(b) == 0 {
		b = append(b, "(none)"...)
	}
	sh.text = b
	return b
}

// maxSaid bounds a reason kept from what a server said (a close frame's
// reason has at most 123 bytes, RFC 6455 §5.5).
const maxSaid = 123

// becameReady makes an open client ready: its join is done (at once
// without a framework's protocol).
func (c *client) becameReady(now time.Duration) {
	if c.ready {
		return
	}
	sh := c.sh
	c.ready = true
	sh.ready++
	sh.count(now, measure.Joins, 1)
	sh.observe(measure.ConnectReady, now-c.attemptAt)
	if c.readyStorm >= 0 && int(c.readyStorm) == sh.storm.k && sh.storm.active {
		sh.stormReady(c, now)
	}
	c.readyStorm = -1
}
