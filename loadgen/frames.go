package loadgen

import (
	"cmp"
	"encoding/binary"
	"errors"
	"time"

	"github.com/stormbench/stormbench/internal/measure"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/evloop"
	"github.com/stormbench/stormbench/internal/jsonpath"
	"github.com/stormbench/stormbench/internal/protocol"
	"github.com/stormbench/stormbench/internal/wsframe"
)

// consume hands what a read returned to the client's frame decoder, which
// checks every rule RFC 6455 sets for a server's frames, reassembles
// fragmented messages and keeps only messages short enough to parse. A
// broken rule fails the connection (§7.1.7).
func (c *client) consume(data []byte, now time.Duration) {
	sh := c.sh
	err := c.dec.Feed(&sh.wf, data, c, now)
	if err == nil || c.state != StateOpen {
		return
	}
	var rule wsframe.Rule
	if !errors.As(err, &rule) {
		rule = wsframe.RuleBadLength
	}
	c.failConnection(now, rule)
}

// failConnection sends the close code the RFC prescribes for rule (best
// effort, and only if nothing is queued before it), records the rule and
// drops the connection.
func (c *client) failConnection(now time.Duration, rule wsframe.Rule) {
	sh := c.sh
	sh.protocolError(now, rule)
	c.closeFrame(rule.CloseCode(), now)
	c.dead(now, measure.CauseProtocolError)
}

// closeFrame writes a close frame with code straight away, as the
// connection is about to be closed. A close frame must not be interleaved
// with a frame the socket only half took: when bytes are still queued and
// the socket does not take them now, no close frame is sent.
func (c *client) closeFrame(code uint16, now time.Duration) {
	sh := c.sh
	if c.cut || c.fd < 0 {
		return
	}
	if len(c.out) > 0 {
		n, _ := evloop.Write(int(c.fd), c.out)
		if n < len(c.out) {
			return
		}
		c.out = c.out[:0]
	}
	var mask [4]byte
	binary.LittleEndian.PutUint32(mask[:], uint32(c.rng.Uint64()))
	frame := sh.fw.Close(code, "", &mask)
	sh.sent(now, TrafficOther, len(frame))
	if c.tls != nil {
		var ok bool
		if frame, ok = c.seal(frame); !ok {
			return
		}
	}
	// Best effort: the server may already have closed its side.
	_, _ = evloop.Write(int(c.fd), frame)
}

// Message implements wsframe.Handler: a whole text or binary message.
// Anything the client does not recognise is counted as other traffic,
// never as a pong or a lost message.
func (c *client) Message(now time.Duration, op ws.OpCode, p []byte, wire int) bool {
	sh := c.sh
	if prof := sh.fl.profile; prof != nil {
		c.frameworkMessage(prof, now, op, p, wire)
		return c.state == StateOpen
	}
	if c.foreignAck(p, wire, now) {
		return c.state == StateOpen
	}
	if sh.fl.formats.custom {
		c.foreignMessage(p, wire, now)
		return c.state == StateOpen
	}
	if op != ws.OpText {
		sh.unrecognised(now, op, p, wire)
		return c.state == StateOpen
	}
	m, err := protocol.Parse(p)
	if err != nil {
		sh.unrecognised(now, op, p, wire)
		return c.state == StateOpen
	}
	switch {
	case m.Kind == protocol.KindPong:
		sh.received(now, TrafficPong, wire)
		c.pong(now, m.T, m.HasT)
	case m.Kind == protocol.KindMsg && m.HasSeq:
		sh.received(now, TrafficMessage, wire)
		c.sequence(m.Seq, now)
	case m.Kind == protocol.KindDirect && m.HasID && m.ID > 0:
		sh.received(now, TrafficApp, wire)
		c.direct(m.ID, m.T, now)
	case m.Kind == protocol.KindAck && m.HasID && m.ID > 0:
		sh.received(now, TrafficApp, wire)
		c.acked(uint64(m.ID), m.Dup, now)
	case m.Kind == protocol.KindHello && m.HasSeq:
		sh.received(now, TrafficOther, wire)
		if !c.haveSeq {
			c.lastSeq, c.haveSeq = m.Seq, true
		}
	default:
		sh.unrecognised(now, op, p, wire)
	}
	return c.state == StateOpen
}

// foreignMessage reads a message of a server with its own formats
// (Config.Formats) by field lookups: a pong by its match (app heartbeat
// only), a broadcast by its sequence field.
func (c *client) foreignMessage(p []byte, wire int, now time.Duration) {
	sh := c.sh
	fm := sh.fl.formats
	if sh.hb.app && fm.pong.Matches(p) {
		sh.received(now, TrafficPong, wire)
		var v int64
		var has bool
		if fm.unit != pongTimeNone {
			v, has = jsonpath.Int(p, fm.pongTime)
		}
		c.pong(now, v, has)
		return
	}
	if seq, ok := jsonpath.Int(p, fm.seq); ok {
		sh.received(now, TrafficMessage, wire)
		c.sequence(seq, now)
		return
	}
	sh.unrecognised(now, ws.OpText, p, wire)
}

// foreignAck settles a client message acknowledged in the server's own
// format (--ack MATCH, --ack-id), whatever its other formats; it reports
// whether p was such an ack.
func (c *client) foreignAck(p []byte, wire int, now time.Duration) bool {
	fm := c.sh.fl.formats
	if !fm.customAck || c.snd == nil || !fm.ack.Matches(p) {
		return false
	}
	id, ok := jsonpath.Int(p, fm.ackID)
	if !ok || id <= 0 {
		return false
	}
	c.sh.received(now, TrafficApp, wire)
	c.acked(uint64(id), false, now)
	return true
}

// pong times an app pong: from the time it echoes (has: the field was
// there), or, when the formats name no echoed time, from the client's
// oldest unanswered ping. A pong that cannot be timed (no field, a time
// the client did not send) records no round trip but is counted as
// untimed, so a wrong field name shows instead of a wrong figure.
func (c *client) pong(now time.Duration, echoed int64, has bool) {
	sh := c.sh
	fm := sh.fl.formats
	sent := c.pingAt
	c.pingAt = 0
	rtt := time.Duration(-1)
	switch fm.unit {
	case pongTimeNone:
		if sent > 0 {
			rtt = now - sent
		}
	case pongTimeFleetNS:
		if has {
			rtt = now - time.Duration(echoed)
		}
	default:
		ns, ok := fm.echoedNS(echoed)
		if !has || !ok {
			break
		}
		rtt = time.Duration(sh.fl.wallBase + int64(now) - ns)
		// Milliseconds would round the figure up by up to 1ms: when the
		// echo is the oldest unanswered ping's time, use its exact send
		// time instead.
		if sent > 0 && fm.unit == pongTimeWallMS && floorDiv(sh.fl.wallBase+int64(sent), 1e6)*1e6 == ns {
			rtt = now - sent
		}
	}
	// A ping cannot be older than the connection it was sent on.
	if rtt < 0 || rtt > now-c.openedAt {
		sh.count(now, measure.PongsUntimed, 1)
		return
	}
	sh.observe(measure.HeartbeatRTT, rtt)
}

// floorDiv is a / b rounded down.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// Skipped implements wsframe.Handler: a message longer than the client
// parses, counted and dropped as it streamed by.
func (c *client) Skipped(now time.Duration, _ ws.OpCode, _ int64, wire int) bool {
	c.sh.received(now, TrafficUnrecognised, wire)
	return c.state == StateOpen
}

// Control implements wsframe.Handler: a ping, pong or close frame.
func (c *client) Control(now time.Duration, op ws.OpCode, p []byte, wire int) bool {
	sh := c.sh
	switch op {
	case ws.OpPing:
		sh.received(now, TrafficPing, wire)
		if sh.hb.pings == pingerServer {
			c.lastRecv = now
		}
		// RFC 6455 §5.5.2: answer with a Pong carrying the same payload
		// (at most 125 bytes: the decoder refused longer pings).
		var mask [4]byte
		binary.LittleEndian.PutUint32(mask[:], uint32(c.rng.Uint64()))
		c.send(sh.fw.Frame(ws.OpPong, p, &mask), TrafficPong, now)
	case ws.OpPong:
		sh.received(now, TrafficPong, wire)
		c.pingAt = 0
		if len(p) == 8 {
			sh.observe(measure.HeartbeatRTT, now-time.Duration(binary.BigEndian.Uint64(p)))
		}
	case ws.OpClose:
		sh.received(now, TrafficOther, wire)
		// RFC 6455 §5.5.1: echo the status code, then close.
		var code uint16
		if len(p) >= 2 {
			code = binary.BigEndian.Uint16(p)
		}
		sh.countKey(now, measure.CloseCodes, int(cmp.Or(code, 1005))) // 1005: no status code (§7.4.1)
		if len(p) > 2 {
			sh.countText(now, measure.CloseReasons, sh.said(int(code), p[2:]))
		}
		c.closeFrame(code, now)
		c.dead(now, measure.CauseCloseFrame)
	}
	return c.state == StateOpen
}

// sequence checks one broadcast sequence number for gaps and repeats
// (without resume, what was broadcast while the client was away shows as
// a gap: lost to it); losses and repeats within a storm's window count
// against that storm too. The first
// number on a new connection that goes backwards is not a burst of
// duplicates: the server's sequence restarted (a new process) or it does
// not resume; it is counted as a restart and tracking starts again there.
func (c *client) sequence(seq int64, now time.Duration) {
	sh := c.sh
	fresh := c.seqFresh
	c.seqFresh = false
	switch {
	case !c.haveSeq:
		c.lastSeq, c.haveSeq = seq, true
	case seq == c.lastSeq+1:
		c.lastSeq = seq
	case seq > c.lastSeq+1:
		sh.count(now, measure.MessagesLost, int64(int(seq-c.lastSeq-1)))
		c.lastSeq = seq
	case fresh:
		sh.count(now, measure.SeqRestarts, 1)
		c.lastSeq = seq
	default:
		sh.count(now, measure.MessagesDuplicated, 1)
	}
}
