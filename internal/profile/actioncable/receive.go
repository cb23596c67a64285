package actioncable

import (
	"encoding/json"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/jsonpath"
	"github.com/stormbench/stormbench/internal/profile"
)

// Paths of the fields Receive reads.
var (
	pathType       = mustCompile("type")
	pathIdentifier = mustCompile("identifier")
	pathMessage    = mustCompile("message")
	pathReason     = mustCompile("reason")
	pathReconnect  = mustCompile("reconnect")
)

func mustCompile(s string) jsonpath.Path {
	p, err := jsonpath.Compile(s)
	if err != nil {
		panic(err)
	}
	return p
}

// Rules a Malformed message breaks.
const (
	RuleBinary    = "actioncable: a binary message (actioncable-v1-json is JSON text)"
	RuleNotObject = "actioncable: not a JSON object"
)

// Receive implements profile.Profile.
func (p *cable) Receive(c profile.Conn, st *profile.State, op ws.OpCode, msg []byte) {
	if op != ws.OpText {
		c.Event(profile.Event{Kind: profile.Malformed, Rule: RuleBinary})
		return
	}
	t, tk, ok := jsonpath.Lookup(msg, pathType)
	if !ok || !tk.IsString() {
		// A broadcast has no type: identifier and message.
		data(c, msg)
		return
	}
	switch {
	case is(t, tk, "ping"):
		c.Event(profile.Event{Kind: profile.ServerPing})
	case is(t, tk, "confirm_subscription"):
		if st.Step != stepSubscribing {
			c.Event(profile.Event{Kind: profile.Other})
			return
		}
		st.Step, st.Ready = stepReady, true
		c.Event(profile.Event{Kind: profile.Ready})
	case is(t, tk, "welcome"):
		if st.Step == stepWelcome {
			p.subscribe(c)
			st.Step = stepSubscribing
		}
		c.Event(profile.Event{Kind: profile.Other, HeartbeatTimeout: StaleThreshold})
	case is(t, tk, "reject_subscription"):
		st.Step, st.Ready = stepRejected, false
		c.Event(profile.Event{Kind: profile.Refused})
	case is(t, tk, "disconnect"):
		goodbye(c, msg)
	default:
		// The reference client hands a message of any other type to
		// the subscription it names, as a broadcast.
		data(c, msg)
	}
}

// data reports a broadcast — {"identifier":…,"message":…} — as data, its
// message being the payload; anything else as Unrecognised, or Malformed
// when it is not JSON at all. The identifier is not compared with the
// client's: a connection holds one subscription.
func data(c profile.Conn, msg []byte) {
	m, _, ok := jsonpath.Lookup(msg, pathMessage)
	if ok {
		if _, _, ok = jsonpath.Lookup(msg, pathIdentifier); ok {
			c.Data(m, 0, false)
			return
		}
	}
	if !isObject(msg) {
		c.Event(profile.Event{Kind: profile.Malformed, Rule: RuleNotObject})
		return
	}
	c.Event(profile.Event{Kind: profile.Unrecognised})
}

// goodbye reports a disconnect: its reason (decoded into the Conn's
// buffer when it holds escapes) and whether it allows a reconnect.
func goodbye(c profile.Conn, msg []byte) {
	e := profile.Event{Kind: profile.Goodbye}
	if r, kind, ok := jsonpath.Lookup(msg, pathReason); ok {
		switch kind {
		case jsonpath.KindString:
			e.Reason = r
		case jsonpath.KindEscapedString:
			e.Reason = jsonpath.AppendString(c.Buffer(), r)
		}
	}
	if r, kind, ok := jsonpath.Lookup(msg, pathReconnect); ok && kind == jsonpath.KindBool {
		e.Reconnect = -1
		if r[0] == 't' {
			e.Reconnect = 1
		}
	}
	c.Event(e)
}

// isObject reports whether msg is one JSON object.
func isObject(msg []byte) bool {
	for _, b := range msg {
		switch b {
		case ' ', '\t', '\n', '\r':
			continue
		case '{':
			return json.Valid(msg)
		}
		return false
	}
	return false
}

// is reports whether the type field (raw, kind) is s.
func is(raw []byte, kind jsonpath.Kind, s string) bool { return jsonpath.EqualString(raw, kind, s) }
