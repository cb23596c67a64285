package phoenix

import (
	"encoding/json"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/jsonpath"
	"github.com/stormbench/stormbench/internal/profile"
)

var (
	pathStatus   = mustCompile("status")
	pathResponse = mustCompile("response")
	pathReason   = mustCompile("reason")
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
	ruleNotJSON     = "phoenix: a text message that is not JSON"
	ruleBinaryShort = "phoenix: binary message shorter than its header says"
	ruleBinaryKind  = "phoenix: binary message of an unknown kind"
)

// Events of the protocol itself.
const (
	evReply = "phx_reply"
	evError = "phx_error"
	evClose = "phx_close"
)

// Reasons of a Goodbye without one of the server's.
var reasonError, reasonClose = []byte(evError), []byte(evClose)

// message is one message of the server, decoded in place: the strings
// are their raw JSON insides (or, from a binary message, their bytes),
// kinds say which are strings, escaped, or null.
type message struct {
	joinRef, ref, topic, event []byte
	joinRefKind, refKind       jsonpath.Kind
	topicKind, eventKind       jsonpath.Kind
	// payload is the payload's JSON text (or, from a binary push or
	// broadcast, its bytes).
	payload []byte
	// status and response are a reply's (a binary reply carries its
	// status where the event goes and its response as the payload).
	status, response []byte
	statusKind       jsonpath.Kind
}

// Receive implements profile.Profile. A text message is one V2 message,
// [join_ref, ref, topic, event, payload]; a binary message is the V2
// binary encoding of a push, a reply or a broadcast.
func (p *Profile) Receive(c profile.Conn, st *profile.State, op ws.OpCode, msg []byte) {
	var m message
	if op == ws.OpBinary {
		if rule := decodeBinary(msg, &m); rule != "" {
			c.Event(profile.Event{Kind: profile.Malformed, Rule: rule})
			return
		}
	} else if !decodeText(msg, &m) {
		if !json.Valid(msg) {
			c.Event(profile.Event{Kind: profile.Malformed, Rule: ruleNotJSON})
		} else {
			c.Event(profile.Event{Kind: profile.Unrecognised})
		}
		return
	}
	p.handle(c, st, &m)
}

// decodeText reads a text message's five elements; false when it is not
// a V2 message (an array of at least five, the references strings or
// null, the topic and event strings).
func decodeText(msg []byte, m *message) bool {
	e := jsonpath.Array(msg)
	var ok [5]bool
	m.joinRef, m.joinRefKind, ok[0] = e.Next()
	m.ref, m.refKind, ok[1] = e.Next()
	m.topic, m.topicKind, ok[2] = e.Next()
	m.event, m.eventKind, ok[3] = e.Next()
	payload, kind, found := e.Next()
	m.payload, ok[4] = jsonpath.Text(msg, payload, kind), found
	if ok != [5]bool{true, true, true, true, true} ||
		!refKind(m.joinRefKind) || !refKind(m.refKind) || !m.topicKind.IsString() || !m.eventKind.IsString() {
		return false
	}
	if m.eventKind == jsonpath.KindString && string(m.event) == evReply && kind == jsonpath.KindObject {
		status, sk, _ := jsonpath.Lookup(m.payload, pathStatus)
		m.status, m.statusKind = status, sk
		if r, rk, ok := jsonpath.Lookup(m.payload, pathResponse); ok {
			m.response = jsonpath.Text(msg, r, rk)
		}
	}
	return true
}

func refKind(k jsonpath.Kind) bool { return k.IsString() || k == jsonpath.KindNull }

// handle reports what a decoded message meant.
func (p *Profile) handle(c profile.Conn, st *profile.State, m *message) {
	if is(m.event, m.eventKind, evReply) {
		p.reply(c, st, m)
		return
	}
	// A message of an earlier join of the topic (phoenix.js drops them).
	if m.joinRefKind != jsonpath.KindNull && len(m.joinRef) > 0 && !isRef(m.joinRef, m.joinRefKind, joinRef) {
		c.Event(profile.Event{Kind: profile.Other})
		return
	}
	switch {
	case is(m.event, m.eventKind, evError):
		// The channel crashed; phoenix.js rejoins it after rejoinAfterMs.
		reason, kind, ok := jsonpath.Lookup(m.payload, pathReason)
		if !ok || !kind.IsString() {
			reason = reasonError
		}
		c.Event(profile.Event{Kind: profile.Goodbye, Reason: reason, Reconnect: 1})
	case is(m.event, m.eventKind, evClose):
		// The server left the channel; phoenix.js does not rejoin it.
		c.Event(profile.Event{Kind: profile.Goodbye, Reason: reasonClose, Reconnect: -1})
	case hasPrefix(m.event, m.eventKind, "phx_"), hasPrefix(m.event, m.eventKind, "presence_"):
		// The protocol's own events, and Phoenix.Presence's state and
		// diffs, are housekeeping rather than the application's stream.
		c.Event(profile.Event{Kind: profile.Other})
	default:
		c.Data(m.payload, 0, false)
	}
}

// reply handles a phx_reply: to the heartbeat, to the join, or to
// something else.
func (p *Profile) reply(c profile.Conn, st *profile.State, m *message) {
	switch {
	case is(m.topic, m.topicKind, "phoenix"):
		if st.Step&flagHeartbeat != 0 && isRef(m.ref, m.refKind, st.Ref) {
			st.Step &^= flagHeartbeat
			c.Event(profile.Event{Kind: profile.Pong})
			return
		}
	case isRef(m.ref, m.refKind, joinRef) && st.Step&stepMask == stepJoining:
		switch {
		case is(m.status, m.statusKind, "ok"):
			st.Step = st.Step&^stepMask | stepJoined
			st.Ready = true
			c.Event(profile.Event{Kind: profile.Ready})
			return
		case is(m.status, m.statusKind, "error"):
			reason := m.response
			if len(reason) == 0 {
				reason = m.payload
			}
			c.Event(profile.Event{Kind: profile.Refused, Reason: reason, Reconnect: 1})
			return
		}
	}
	c.Event(profile.Event{Kind: profile.Other})
}

// is reports whether a raw string equals s.
func is(raw []byte, kind jsonpath.Kind, s string) bool {
	return kind.IsString() && jsonpath.EqualString(raw, kind, s)
}

// hasPrefix reports whether a raw string (without escapes) starts with s.
func hasPrefix(raw []byte, kind jsonpath.Kind, s string) bool {
	return kind == jsonpath.KindString && len(raw) >= len(s) && string(raw[:len(s)]) == s
}

// isRef reports whether a raw reference is the decimal number n.
func isRef(raw []byte, kind jsonpath.Kind, n uint32) bool {
	if kind != jsonpath.KindString || len(raw) == 0 || len(raw) > 10 || raw[0] == '0' {
		return false
	}
	var v uint64
	for _, c := range raw {
		if c < '0' || c > '9' {
			return false
		}
		v = v*10 + uint64(c-'0')
	}
	return v == uint64(n)
}
