package loadgen

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/evloop"
	"github.com/stormbench/stormbench/internal/protocol"
	"github.com/stormbench/stormbench/internal/wsframe"
)

// consume hands what a read returned to the client's frame decoder, which
// checks every rule RFC 6455 sets for a server's frames, reassembles
// fragmented messages and keeps only messages short enough to parse. A
// broken rule fails the connection (§7.1.7).
func (c *client) consume(data []byte, now time.Duration) {
	sh := c.sh
	sh.now = now
	err := c.dec.Feed(&sh.wf, data, c)
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
	sh.sink.ProtocolError(now, rule)
	c.closeFrame(rule.CloseCode(), now)
	c.dead(now, CauseProtocolError)
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
	sh.sink.Sent(now, TrafficOther, len(frame))
	// Best effort: the server may already have closed its side.
	_, _ = evloop.Write(int(c.fd), frame)
}

// Message implements wsframe.Handler: a whole text or binary message.
func (c *client) Message(op ws.OpCode, p []byte, wire int) bool {
	sh := c.sh
	now := sh.now
	if op != ws.OpText {
		sh.sink.Received(now, TrafficUnrecognised, wire)
		return c.state == StateOpen
	}
	m, err := protocol.Parse(p)
	if err != nil {
		sh.sink.Received(now, TrafficUnrecognised, wire)
		return c.state == StateOpen
	}
	switch m.Kind {
	case protocol.KindPong:
		sh.sink.Received(now, TrafficPong, wire)
		sh.sink.HeartbeatRTT(now - time.Duration(m.T))
	case protocol.KindMsg:
		sh.sink.Received(now, TrafficMessage, wire)
		c.sequence(m.Seq, now)
	case protocol.KindHello:
		sh.sink.Received(now, TrafficOther, wire)
		if !c.haveSeq {
			c.lastSeq, c.haveSeq = m.Seq, true
		}
	default:
		sh.sink.Received(now, TrafficUnrecognised, wire)
	}
	return c.state == StateOpen
}

// Skipped implements wsframe.Handler: a message longer than the client
// parses, counted and dropped as it streamed by.
func (c *client) Skipped(_ ws.OpCode, _ int64, wire int) bool {
	c.sh.sink.Received(c.sh.now, TrafficUnrecognised, wire)
	return c.state == StateOpen
}

// Control implements wsframe.Handler: a ping, pong or close frame.
func (c *client) Control(op ws.OpCode, p []byte, wire int) bool {
	sh := c.sh
	now := sh.now
	switch op {
	case ws.OpPing:
		sh.sink.Received(now, TrafficPing, wire)
		if sh.cfg.Heartbeat.Mode == HeartbeatServer {
			c.lastRecv = now
		}
		// RFC 6455 §5.5.2: answer with a Pong carrying the same payload
		// (at most 125 bytes: the decoder refused longer pings).
		var mask [4]byte
		binary.LittleEndian.PutUint32(mask[:], uint32(c.rng.Uint64()))
		c.send(sh.fw.Frame(ws.OpPong, p, &mask), TrafficPong, now)
	case ws.OpPong:
		sh.sink.Received(now, TrafficPong, wire)
		if len(p) == 8 {
			sh.sink.HeartbeatRTT(now - time.Duration(binary.BigEndian.Uint64(p)))
		}
	case ws.OpClose:
		sh.sink.Received(now, TrafficOther, wire)
		// RFC 6455 §5.5.1: echo the status code, then close.
		var code uint16
		if len(p) >= 2 {
			code = binary.BigEndian.Uint16(p)
		}
		c.closeFrame(code, now)
		c.dead(now, CauseCloseFrame)
	}
	return c.state == StateOpen
}

// sequence checks one broadcast sequence number for gaps and repeats.
func (c *client) sequence(seq int64, now time.Duration) {
	sh := c.sh
	storm := -1
	if sh.storm.active {
		storm = sh.storm.k
	}
	switch {
	case !c.haveSeq:
		c.lastSeq, c.haveSeq = seq, true
	case seq == c.lastSeq+1:
		c.lastSeq = seq
	case seq > c.lastSeq+1:
		sh.sink.MessagesLost(now, storm, int(seq-c.lastSeq-1))
		c.lastSeq = seq
	default:
		sh.sink.MessageDuplicated(now, storm)
	}
}
