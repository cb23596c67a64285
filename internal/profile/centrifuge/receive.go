package centrifuge

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/jsonpath"
	"github.com/stormbench/stormbench/internal/profile"
)

// Paths of the fields the profile reads, compiled once.
var (
	pathID           = mustCompile("id")
	pathPush         = mustCompile("push")
	pathError        = mustCompile("error")
	pathConnect      = mustCompile("connect")
	pathSubscribe    = mustCompile("subscribe")
	pathPub          = mustCompile("pub")
	pathDisconnect   = mustCompile("disconnect")
	pathUnsubscribe  = mustCompile("unsubscribe")
	pathData         = mustCompile("data")
	pathOffset       = mustCompile("offset")
	pathEpoch        = mustCompile("epoch")
	pathRecoverable  = mustCompile("recoverable")
	pathPublications = mustCompile("publications")
	pathPing         = mustCompile("ping")
	pathPong         = mustCompile("pong")
	pathCode         = mustCompile("code")
	pathReason       = mustCompile("reason")
	pathMessage      = mustCompile("message")
	pathTemporary    = mustCompile("temporary")
	// The fast path of a publication push: one pass to its data, one to
	// its offset.
	pathPushData   = mustCompile("push.pub.data")
	pathPushOffset = mustCompile("push.pub.offset")
)

func mustCompile(s string) jsonpath.Path {
	p, err := jsonpath.Compile(s)
	if err != nil {
		panic(err)
	}
	return p
}

// Rules a Malformed event names.
const (
	ruleBinary     = "centrifuge: binary message (the JSON protocol sends text)"
	ruleNotJSON    = "centrifuge: a line that is not JSON"
	rulePushShape  = "centrifuge: push is not an object"
	ruleReplyShape = "centrifuge: reply to connect or subscribe without its result object"
	ruleErrorShape = "centrifuge: error is not an object"
	rulePubShape   = "centrifuge: publication is not an object"
	rulePubsShape  = "centrifuge: publications is not an array of objects"
)

// Receive implements profile.Profile. A message holds one or more
// replies and pushes, one JSON object per line; each is reported in
// order. A Malformed line ends the message: the client fails the
// connection.
func (p *Profile) Receive(c profile.Conn, st *profile.State, op ws.OpCode, msg []byte) {
	if op != ws.OpText {
		c.Event(profile.Event{Kind: profile.Malformed, Rule: ruleBinary})
		return
	}
	for len(msg) > 0 {
		line := msg
		if i := bytes.IndexByte(msg, '\n'); i >= 0 {
			line, msg = msg[:i], msg[i+1:]
		} else {
			msg = nil
		}
		line = trim(line)
		if len(line) == 0 {
			continue
		}
		if !p.line(c, st, line) {
			return
		}
	}
}

// line reports what one reply or push meant; false when it broke the
// protocol.
func (p *Profile) line(c profile.Conn, st *profile.State, line []byte) bool {
	if emptyObject(line) {
		// The server's ping; the connect reply said whether it wants the
		// same back.
		if st.Step&flagPong != 0 {
			c.Send(profile.SendPong, ws.OpText, append(c.Buffer(), '{', '}'))
		}
		c.Event(profile.Event{Kind: profile.ServerPing})
		return true
	}
	if data, kind, ok := jsonpath.Lookup(line, pathPushData); ok {
		offset, hasOffset := jsonpath.Int(line, pathPushOffset)
		p.deliver(c, st, jsonpath.Text(line, data, kind), offset, hasOffset)
		return true
	}
	if push, kind, ok := jsonpath.Lookup(line, pathPush); ok {
		if kind != jsonpath.KindObject {
			return malformed(c, rulePushShape)
		}
		return p.push(c, st, line, push)
	}
	if id, ok := jsonpath.Int(line, pathID); ok {
		return p.reply(c, st, line, id)
	}
	return unknown(c, line)
}

// push handles an asynchronous message of the server.
func (p *Profile) push(c profile.Conn, st *profile.State, line, push []byte) bool {
	if pub, kind, ok := jsonpath.Lookup(push, pathPub); ok {
		if kind != jsonpath.KindObject {
			return malformed(c, rulePubShape)
		}
		return p.publication(c, st, line, pub)
	}
	if d, kind, ok := jsonpath.Lookup(push, pathDisconnect); ok && kind == jsonpath.KindObject {
		code, reason := codeReason(d, pathReason)
		c.Event(profile.Event{Kind: profile.Goodbye, Code: int(code), Reason: reason, Reconnect: disconnectReconnect(code)})
		return true
	}
	if u, kind, ok := jsonpath.Lookup(push, pathUnsubscribe); ok && kind == jsonpath.KindObject {
		code, reason := codeReason(u, pathReason)
		c.Event(profile.Event{Kind: profile.Goodbye, Code: int(code), Reason: reason, Reconnect: unsubscribeReconnect(code)})
		return true
	}
	// join, leave, message, subscribe (server-side), connect, refresh.
	c.Event(profile.Event{Kind: profile.Other})
	return true
}

// publication reports one publication as data: its data as the payload,
// its offset (absent in a channel without history) as the sequence.
func (p *Profile) publication(c profile.Conn, st *profile.State, line, pub []byte) bool {
	// A publication without data (none is sent for an empty one) is
	// reported with an empty payload.
	data, kind, _ := jsonpath.Lookup(pub, pathData)
	offset, hasOffset := jsonpath.Int(pub, pathOffset)
	p.deliver(c, st, jsonpath.Text(line, data, kind), offset, hasOffset)
	return true
}

// deliver reports a publication's payload and offset, and moves the kept
// stream position to it.
func (p *Profile) deliver(c profile.Conn, st *profile.State, payload []byte, offset int64, hasOffset bool) {
	if hasOffset && offset < 0 {
		hasOffset = false
	}
	if hasOffset && p.resume {
		setOffset(st, uint64(offset))
	}
	c.Data(payload, offset, hasOffset)
}

// reply handles the answer to a command of the client.
func (p *Profile) reply(c profile.Conn, st *profile.State, line []byte, id int64) bool {
	connectID, subscribeID := int64(st.Ref)-1, int64(st.Ref)
	ours := st.Step&stepMask != 0 && (id == connectID || id == subscribeID)
	if e, kind, ok := jsonpath.Lookup(line, pathError); ok {
		if kind != jsonpath.KindObject {
			return malformed(c, ruleErrorShape)
		}
		if !ours {
			c.Event(profile.Event{Kind: profile.Other})
			return true
		}
		code, message := codeReason(e, pathMessage)
		temp, _, _ := jsonpath.Lookup(e, pathTemporary)
		c.Event(profile.Event{Kind: profile.Refused, Code: int(code), Reason: message,
			Reconnect: errorReconnect(code, string(temp) == "true")})
		return true
	}
	switch {
	case ours && id == connectID:
		res, kind, ok := jsonpath.Lookup(line, pathConnect)
		if !ok || kind != jsonpath.KindObject {
			return malformed(c, ruleReplyShape)
		}
		st.Step = stepConnected
		if pong, _, _ := jsonpath.Lookup(res, pathPong); string(pong) == "true" {
			st.Step |= flagPong
		}
		ev := profile.Event{Kind: profile.Other}
		if ping, ok := jsonpath.Int(res, pathPing); ok && ping > 0 && ping < 1<<31 {
			ev.HeartbeatTimeout = time.Duration(ping)*time.Second + maxServerPingDelay
		}
		c.Event(ev)
		return true
	case ours && id == subscribeID:
		res, kind, ok := jsonpath.Lookup(line, pathSubscribe)
		if !ok || kind != jsonpath.KindObject {
			return malformed(c, ruleReplyShape)
		}
		st.Step = st.Step&^stepMask | stepSubscribed
		if p.resume {
			keepPosition(st, res)
		}
		if !st.Ready {
			st.Ready = true
			c.Event(profile.Event{Kind: profile.Ready})
		}
		return p.recovered(c, st, line, res)
	}
	c.Event(profile.Event{Kind: profile.Other})
	return true
}

// keepPosition keeps the stream position of a subscribe reply when the
// server calls the subscription recoverable, and forgets it otherwise.
func keepPosition(st *profile.State, res []byte) {
	if rec, _, _ := jsonpath.Lookup(res, pathRecoverable); string(rec) != "true" {
		clearPosition(st)
		return
	}
	offset, _ := jsonpath.Int(res, pathOffset)
	epoch, kind, ok := jsonpath.Lookup(res, pathEpoch)
	if !ok || !kind.IsString() {
		epoch = nil
	}
	setPosition(st, uint64(max(offset, 0)), epoch)
}

// recovered reports the publications a subscribe reply carries (missed
// while away), in order.
func (p *Profile) recovered(c profile.Conn, st *profile.State, line, res []byte) bool {
	pubs, kind, ok := jsonpath.Lookup(res, pathPublications)
	if !ok || kind == jsonpath.KindNull {
		return true
	}
	if kind != jsonpath.KindArray {
		return malformed(c, rulePubsShape)
	}
	e := jsonpath.Array(pubs)
	for {
		pub, kind, ok := e.Next()
		if !ok {
			break
		}
		if kind != jsonpath.KindObject {
			return malformed(c, rulePubsShape)
		}
		if !p.publication(c, st, line, pub) {
			return false
		}
	}
	if e.Err() {
		return malformed(c, rulePubsShape)
	}
	return true
}

// codeReason reads an object's "code" and its reason (or message) string.
func codeReason(obj []byte, reason jsonpath.Path) (int64, []byte) {
	code, _ := jsonpath.Int(obj, pathCode)
	r, kind, ok := jsonpath.Lookup(obj, reason)
	if !ok || !kind.IsString() {
		r = nil
	}
	return code, r
}

func malformed(c profile.Conn, rule string) bool {
	c.Event(profile.Event{Kind: profile.Malformed, Rule: rule})
	return false
}

// unknown reports a line no rule recognised: Unrecognised when it is JSON
// (another protocol's, or a newer one's), Malformed when it is not.
func unknown(c profile.Conn, line []byte) bool {
	if !json.Valid(line) {
		return malformed(c, ruleNotJSON)
	}
	c.Event(profile.Event{Kind: profile.Unrecognised})
	return true
}

// emptyObject reports whether line is {} (spaces allowed inside).
func emptyObject(line []byte) bool {
	if len(line) < 2 || line[0] != '{' || line[len(line)-1] != '}' {
		return false
	}
	return len(trim(line[1:len(line)-1])) == 0
}

// trim removes JSON whitespace around b.
func trim(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
