package stomp

import (
	"bytes"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
)

// Steps of a connection, the low bits of profile.State.Step.
const (
	// stepConnect: CONNECT sent, waiting for CONNECTED.
	stepConnect uint8 = iota
	// stepSubscribe: SUBSCRIBE sent, waiting for its RECEIPT.
	stepSubscribe
	// stepReady: subscribed; MESSAGEs flow.
	stepReady
	// stepDone: refused, said goodbye or broke the protocol: the rest of
	// the connection is ignored.
	stepDone

	stepMask uint8 = 0x0f
	// flagNoPing: the negotiation turned the client's heart-beats off.
	flagNoPing uint8 = 0x10
)

// Tolerance is how many of the server's negotiated heart-beat periods may
// pass without a byte from it before the connection counts as dead: the
// HeartbeatTimeout announced at CONNECTED. STOMP 1.2 leaves the margin to
// the client ("to take into account the timing inaccuracies"); 2 is
// @stomp/stompjs's heartbeatToleranceMultiplier.
const Tolerance = 2

// keepPartial is the capacity of State.Partial kept between frames split
// across messages. A larger buffer (a long frame's) is let go once the
// frame is whole: a split frame longer than this allocates its buffer,
// where keeping it would hold that many bytes in every client that ever
// received one, for the client's life (measured: ~1.6 KB per client, 3×
// a held client's whole cost, with 1 KB broadcasts split in two). Short
// split frames, the common case, allocate nothing.
const keepPartial = 256

// Receive implements profile.Profile. A WebSocket message may hold several
// frames, EOLs between them, or a lone EOL (the server's heart-beat); a
// frame may also continue in the next message, its start kept in
// st.Partial (never more than MaxFrame bytes).
//
// A run of EOLs at the start of a message is one ServerPing; EOLs after a
// frame's NUL in the same message are that frame's padding (RabbitMQ ends
// every frame with NUL LF) and mean nothing of their own.
func (p *Profile) Receive(c profile.Conn, st *profile.State, _ ws.OpCode, msg []byte) {
	if st.Step&stepMask == stepDone {
		return
	}
	afterFrame := false
	if len(st.Partial) > 0 {
		if msg = p.finishPartial(c, st, msg); msg == nil {
			return
		}
		afterFrame = true
	}
	for len(msg) > 0 {
		if eol := skipEOL(msg); eol > 0 {
			if !afterFrame {
				c.Event(profile.Event{Kind: profile.ServerPing})
			}
			if msg = msg[eol:]; len(msg) == 0 {
				return
			}
		}
		n, next, rule := scan(msg, 0)
		if rule != "" {
			p.fail(c, st, rule)
			return
		}
		if n == 0 {
			st.Partial, st.Ref = append(st.Partial[:0], msg...), next
			return
		}
		f := split(msg[:n])
		if !p.frame(c, st, &f) {
			return
		}
		msg, afterFrame = msg[n:], true
	}
}

// finishPartial adds msg to the frame waiting in st.Partial — scanned as
// far as st.Ref says — until the frame is whole, handles it and returns the
// rest of msg; nil when nothing is left to read. It takes from msg up to
// the next NUL, or up to where content-length puts the frame's NUL, so
// that the frame never holds bytes of the next one.
func (p *Profile) finishPartial(c profile.Conn, st *profile.State, msg []byte) []byte {
	for len(msg) > 0 {
		take := len(msg)
		if st.Ref>>phaseShift == phaseLength {
			take = min(take, int(st.Ref&posMask)+1-len(st.Partial))
		} else if i := bytes.IndexByte(msg, 0); i >= 0 {
			take = i + 1
		}
		take = min(take, MaxFrame-len(st.Partial)) // enough for scan to tell
		st.Partial, msg = append(st.Partial, msg[:take]...), msg[take:]
		if st.Ref == 0 {
			if eol := skipEOL(st.Partial); eol > 0 {
				// A CR at the end of the last message and the LF of
				// this one: an EOL between frames.
				st.Partial = st.Partial[:copy(st.Partial, st.Partial[eol:])]
				if len(st.Partial) == 0 {
					if len(msg) == 0 {
						return nil
					}
					return msg
				}
			}
		}
		n, next, rule := scan(st.Partial, st.Ref)
		if rule != "" {
			p.fail(c, st, rule)
			return nil
		}
		if st.Ref = next; n == 0 {
			continue
		}
		f := split(st.Partial[:n])
		ok := p.frame(c, st, &f)
		if !ok {
			return nil
		}
		if n < len(st.Partial) { // not expected: the frame ends at the last byte taken
			st.Partial = st.Partial[:copy(st.Partial, st.Partial[n:])]
			continue
		}
		releasePartial(st)
		if len(msg) == 0 {
			return nil
		}
		return msg
	}
	return nil
}

// skipEOL returns the length of the EOLs (LF or CR LF) at the start of b.
func skipEOL(b []byte) int {
	i := 0
	for i < len(b) {
		switch {
		case b[i] == '\n':
			i++
		case b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n':
			i += 2
		default:
			return i
		}
	}
	return i
}

// fail reports a Malformed frame; the connection reads nothing more.
func (p *Profile) fail(c profile.Conn, st *profile.State, rule string) {
	st.Step, st.Partial, st.Ref = stepDone, nil, 0
	c.Event(profile.Event{Kind: profile.Malformed, Rule: rule})
}

// frame handles one whole frame and reports whether to read on.
func (p *Profile) frame(c profile.Conn, st *profile.State, f *frame) bool {
	step := st.Step & stepMask
	cmd := command(f.command)
	if step == stepConnect && cmd != "CONNECTED" && cmd != "ERROR" {
		p.fail(c, st, ruleFirst)
		return false
	}
	switch cmd {
	case "MESSAGE":
		c.Data(f.body, 0, false)
	case "RECEIPT":
		id, _ := f.header("receipt-id")
		if step == stepSubscribe && p.isReceipt(id) {
			st.Step, st.Ready = st.Step&^stepMask|stepReady, true
			c.Event(profile.Event{Kind: profile.Ready})
		} else {
			c.Event(profile.Event{Kind: profile.Other})
		}
	case "CONNECTED":
		if step != stepConnect {
			p.fail(c, st, ruleSecond)
			return false
		}
		return p.connected(c, st, f)
	case "ERROR":
		msg, _ := f.header("message")
		kind := profile.Refused
		if step == stepReady {
			kind = profile.Goodbye
		}
		st.Step = stepDone
		c.Event(profile.Event{Kind: kind, Reason: msg})
		return false
	default:
		c.Event(profile.Event{Kind: profile.Unrecognised})
	}
	return true
}

// command returns the server frame's command as a constant string, "" for
// one a server does not send (no allocation: the switch compares bytes).
func command(b []byte) string {
	switch string(b) {
	case "MESSAGE":
		return "MESSAGE"
	case "RECEIPT":
		return "RECEIPT"
	case "CONNECTED":
		return "CONNECTED"
	case "ERROR":
		return "ERROR"
	}
	return ""
}

// isReceipt reports whether id is the receipt of the last SUBSCRIBE.
func (p *Profile) isReceipt(id []byte) bool {
	if len(id) < 5 || string(id[:4]) != "sub-" {
		return false
	}
	return atoi(id[4:]) == len(p.joins)-1
}

// connected reads the negotiated version and heart-beat (STOMP 1.2
// "Heart-beating"), announces the detection rule and subscribes.
func (p *Profile) connected(c profile.Conn, st *profile.State, f *frame) bool {
	version, _ := f.header("version")
	v10 := len(version) == 0 || string(version) == "1.0"
	var sx, sy int64
	if hb, ok := f.header("heart-beat"); ok && !v10 {
		var ok bool
		if sx, sy, ok = parseHeartbeat(hb); !ok {
			p.fail(c, st, ruleHeartbeat)
			return false
		}
	}
	e := profile.Event{Kind: profile.Other}
	// The server beats every max(sx, cy) when both are set: nothing from
	// it for Tolerance times that is a dead connection.
	if sx > 0 && p.heartbeat > 0 {
		e.HeartbeatTimeout = Tolerance * time.Duration(max(sx, p.heartbeat)) * time.Millisecond
	}
	// The client beats every max(cx, sy) when both are set; otherwise not
	// at all.
	if sy == 0 || p.heartbeat == 0 {
		st.Step |= flagNoPing
	}
	c.Event(e)
	p.subscribe(c, st, !v10)
	return true
}

// parseHeartbeat reads "sx,sy", two non-negative integers of milliseconds.
func parseHeartbeat(b []byte) (sx, sy int64, ok bool) {
	comma := bytes.IndexByte(b, ',')
	if comma < 0 {
		return 0, 0, false
	}
	x, y := atoi(bytes.TrimSpace(b[:comma])), atoi(bytes.TrimSpace(b[comma+1:]))
	if x < 0 || y < 0 {
		return 0, 0, false
	}
	return int64(x), int64(y), true
}

// releasePartial empties State.Partial, keeping a small buffer for the
// next split frame, and forgets how far it was scanned.
func releasePartial(st *profile.State) {
	st.Ref = 0
	if cap(st.Partial) > keepPartial {
		st.Partial = nil
	} else if st.Partial != nil {
		st.Partial = st.Partial[:0]
	}
}
