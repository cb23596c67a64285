package signalr

import (
	"bytes"
	"encoding/json"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/jsonpath"
	"github.com/stormbench/stormbench/internal/profile"
)

var (
	pathType           = mustCompile("type")
	pathTarget         = mustCompile("target")
	pathArguments      = mustCompile("arguments")
	pathError          = mustCompile("error")
	pathAllowReconnect = mustCompile("allowReconnect")
)

func mustCompile(s string) jsonpath.Path {
	p, err := jsonpath.Compile(s)
	if err != nil {
		panic(err)
	}
	return p
}

// Message types of the hub protocol the profile tells apart (2 stream
// item, 3 completion, 8 ack and 9 sequence are Other).
const (
	typeInvocation       = 1
	typeStreamInvocation = 4
	typeCancelInvocation = 5
	typePing             = 6
	typeClose            = 7
)

// Rules a Malformed event names.
const (
	ruleBinary     = "signalr: binary message (the JSON hub protocol sends text)"
	ruleIncomplete = "signalr: message not ended by the record separator 0x1E"
	ruleNotJSON    = "signalr: a record that is not JSON"
	ruleHandshake  = "signalr: a hub message where the handshake response belongs"
	ruleArguments  = "signalr: invocation arguments that are not an array"
)

// Receive implements profile.Profile. A message holds one or more
// records, each a JSON object ended by 0x1E; the first record of a
// connection is the handshake response. A message that does not end with
// the separator is refused whole, as the JavaScript client refuses it; a
// Malformed record ends the message.
func (p *Profile) Receive(c profile.Conn, st *profile.State, op ws.OpCode, msg []byte) {
	if op != ws.OpText {
		c.Event(profile.Event{Kind: profile.Malformed, Rule: ruleBinary})
		return
	}
	if len(msg) == 0 || msg[len(msg)-1] != rs {
		c.Event(profile.Event{Kind: profile.Malformed, Rule: ruleIncomplete})
		return
	}
	for len(msg) > 0 {
		i := bytes.IndexByte(msg, rs)
		rec := msg[:i]
		msg = msg[i+1:]
		var ok bool
		if st.Step == stepHandshake {
			ok = p.handshake(c, st, rec)
		} else {
			ok = p.record(c, rec)
		}
		if !ok {
			return
		}
	}
}

// handshake handles the server's answer to the handshake request: {} (or
// any object without "error" and "type") makes the client ready, then it
// pings at once as the JavaScript client does; {"error":…} is a refusal.
func (p *Profile) handshake(c profile.Conn, st *profile.State, rec []byte) bool {
	if e, kind, ok := jsonpath.Lookup(rec, pathError); ok {
		if !kind.IsString() {
			e = jsonpath.Text(rec, e, kind)
		}
		c.Event(profile.Event{Kind: profile.Refused, Reason: e})
		return true
	}
	if _, _, ok := jsonpath.Lookup(rec, pathType); ok {
		return malformed(c, ruleHandshake)
	}
	if !isObject(rec) {
		return malformed(c, ruleNotJSON)
	}
	st.Step, st.Ready = stepReady, true
	c.Event(profile.Event{Kind: profile.Ready})
	p.Ping(c, st)
	return true
}

// record handles one hub message.
func (p *Profile) record(c profile.Conn, rec []byte) bool {
	typ, ok := jsonpath.Int(rec, pathType)
	if !ok {
		return unknown(c, rec)
	}
	switch typ {
	case typeInvocation:
		target, kind, ok := jsonpath.Lookup(rec, pathTarget)
		if !ok || !p.isMethod(target, kind) {
			c.Event(profile.Event{Kind: profile.Other})
			return true
		}
		args, kind, ok := jsonpath.Lookup(rec, pathArguments)
		if !ok || kind != jsonpath.KindArray {
			return malformed(c, ruleArguments)
		}
		e := jsonpath.Array(args)
		first, kind, _ := e.Next()
		if e.Err() {
			return malformed(c, ruleArguments)
		}
		c.Data(jsonpath.Text(rec, first, kind), 0, false)
	case typePing:
		c.Event(profile.Event{Kind: profile.ServerPing})
	case typeClose:
		ev := profile.Event{Kind: profile.Goodbye, Reconnect: -1}
		if e, kind, ok := jsonpath.Lookup(rec, pathError); ok && kind.IsString() {
			ev.Reason = e
		}
		if a, _, _ := jsonpath.Lookup(rec, pathAllowReconnect); string(a) == "true" {
			ev.Reconnect = 1
		}
		c.Event(ev)
	case typeStreamInvocation, typeCancelInvocation:
		// The client's own messages: no server sends them.
		c.Event(profile.Event{Kind: profile.Unrecognised})
	default:
		// Stream items, completions, acks, sequences, and types of later
		// versions, which the JavaScript client ignores.
		c.Event(profile.Event{Kind: profile.Other})
	}
	return true
}

// isMethod reports whether an invocation's target is the counted method,
// ignoring ASCII case.
func (p *Profile) isMethod(target []byte, kind jsonpath.Kind) bool {
	switch kind {
	case jsonpath.KindString:
		return bytes.EqualFold(target, p.method)
	case jsonpath.KindEscapedString:
		return jsonpath.EqualString(target, kind, p.methodStr)
	}
	return false
}

func malformed(c profile.Conn, rule string) bool {
	c.Event(profile.Event{Kind: profile.Malformed, Rule: rule})
	return false
}

// unknown reports a record without a numeric type: Unrecognised when it
// is JSON, Malformed when it is not.
func unknown(c profile.Conn, rec []byte) bool {
	if !json.Valid(rec) {
		return malformed(c, ruleNotJSON)
	}
	c.Event(profile.Event{Kind: profile.Unrecognised})
	return true
}

// isObject reports whether rec is one JSON object.
func isObject(rec []byte) bool {
	rec = bytes.TrimLeft(rec, " \t\r\n")
	return len(rec) > 0 && rec[0] == '{' && json.Valid(rec)
}
