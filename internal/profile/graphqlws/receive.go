package graphqlws

import (
	"bytes"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/jsonpath"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/template"
)

// Paths of the fields Receive reads.
var (
	pathType    = mustCompile("type")
	pathID      = mustCompile("id")
	pathPayload = mustCompile("payload")
	pathMessage = mustCompile("message")
)

func mustCompile(s string) jsonpath.Path {
	p, err := jsonpath.Compile(s)
	if err != nil {
		panic(err)
	}
	return p
}

// Rules a Malformed message breaks. The reference client closes the
// connection with 4004 "Bad response" on each of them.
const (
	RuleBinary      = "graphql-ws: a binary message (the protocol is JSON text)"
	RuleNoType      = "graphql-ws: not a JSON object with a string \"type\""
	RuleUnknownType = "graphql-ws: a message type the protocol does not have"
	RuleBeforeAck   = "graphql-ws: a message other than connection_ack, ping or pong before connection_ack"
	RuleNoID        = "graphql-ws: next, error or complete without a non-empty string \"id\""
	RuleNextPayload = "graphql-ws: next without an object \"payload\""
	RuleErrPayload  = "graphql-ws: error without an array \"payload\""
	RulePingPayload = "graphql-ws: ping or pong with a \"payload\" that is not an object"
)

// Receive implements profile.Profile.
func (p *gqlws) Receive(c profile.Conn, st *profile.State, op ws.OpCode, msg []byte) {
	if op != ws.OpText {
		malformed(c, RuleBinary)
		return
	}
	t, tk, ok := jsonpath.Lookup(msg, pathType)
	if !ok || !tk.IsString() {
		malformed(c, RuleNoType)
		return
	}
	switch {
	case is(t, tk, "next"):
		p.next(c, st, msg)
	case is(t, tk, "ping"):
		payload, ok := pingPayload(msg)
		if !ok {
			malformed(c, RulePingPayload)
			return
		}
		b := c.Buffer()
		if payload == nil {
			b = append(b, msgPong...)
		} else {
			b = append(b, `{"type":"pong","payload":`...)
			b = append(b, payload...)
			b = append(b, '}')
		}
		c.Send(profile.SendPong, ws.OpText, b)
		c.Event(profile.Event{Kind: profile.ServerPing})
	case is(t, tk, "pong"):
		if _, ok := pingPayload(msg); !ok {
			malformed(c, RulePingPayload)
			return
		}
		// A pong nobody asked for is the server's one-way heartbeat,
		// which the protocol allows.
		if st.Ref == 0 {
			c.Event(profile.Event{Kind: profile.ServerPing})
			return
		}
		st.Ref--
		c.Event(profile.Event{Kind: profile.Pong})
	case is(t, tk, "connection_ack"):
		if st.Step != stepInit {
			// The reference client ignores a second ack.
			c.Event(profile.Event{Kind: profile.Other})
			return
		}
		p.subscribe(c)
		st.Step, st.Ready = stepSubscribed, true
		c.Event(profile.Event{Kind: profile.Ready})
	case is(t, tk, "error"):
		p.error(c, st, msg)
	case is(t, tk, "complete"):
		if !p.ours(c, st, msg) {
			return
		}
		st.Step = stepDone
		c.Event(profile.Event{Kind: profile.Goodbye})
	case is(t, tk, "connection_init"), is(t, tk, "subscribe"):
		// The client's own messages: valid, meaningless from a server
		// (the reference client ignores them).
		c.Event(profile.Event{Kind: profile.Unrecognised})
	default:
		malformed(c, RuleUnknownType)
	}
}

// next reports a next message of the client's subscription as data: its
// payload, the GraphQL execution result, is what --seq-field reads.
func (p *gqlws) next(c profile.Conn, st *profile.State, msg []byte) {
	if !p.ours(c, st, msg) {
		return
	}
	payload, kind, ok := jsonpath.Lookup(msg, pathPayload)
	if !ok || kind != jsonpath.KindObject {
		malformed(c, RuleNextPayload)
		return
	}
	c.Data(payload, 0, false)
}

// error reports the server's error for the client's subscription — a
// query that did not validate, a refused operation, a stream that failed
// — as a refusal: the subscription is over. Reason is the first error's
// message (decoded), or the whole payload when it has none.
func (p *gqlws) error(c profile.Conn, st *profile.State, msg []byte) {
	if !p.ours(c, st, msg) {
		return
	}
	payload, kind, ok := jsonpath.Lookup(msg, pathPayload)
	if !ok || kind != jsonpath.KindArray {
		malformed(c, RuleErrPayload)
		return
	}
	st.Step = stepDone
	c.Event(profile.Event{Kind: profile.Refused, Reason: firstMessage(c, payload)})
}

// ours checks a message that must name the client's subscription: it
// reports Malformed when the id is missing (or the message comes before
// connection_ack), Unrecognised when it names another subscription or
// the subscription is over (the reference client ignores those), and
// returns whether the message is the client's to handle.
func (p *gqlws) ours(c profile.Conn, st *profile.State, msg []byte) bool {
	if st.Step == stepInit {
		malformed(c, RuleBeforeAck)
		return false
	}
	id, kind, ok := jsonpath.Lookup(msg, pathID)
	if !ok || !kind.IsString() || len(id) == 0 {
		malformed(c, RuleNoID)
		return false
	}
	if st.Step == stepDone || !isOurID(id, kind, c.Vars()) {
		c.Event(profile.Event{Kind: profile.Unrecognised})
		return false
	}
	return true
}

// isOurID reports whether the id field (raw, kind) is the client's
// subscription id, decoding escapes on the stack (no id the server can
// send makes it allocate).
func isOurID(raw []byte, kind jsonpath.Kind, v template.Vars) bool {
	var want [idLen]byte
	id := subscriptionID(&want, v)
	if kind == jsonpath.KindString {
		return bytes.Equal(raw, id)
	}
	// An escape is at most 6 bytes for one byte of the id.
	if len(raw) > 6*idLen {
		return false
	}
	var dec [6 * idLen]byte
	return bytes.Equal(jsonpath.AppendString(dec[:0], raw), id)
}

// firstMessage returns the message of the first error in payload, a
// JSON array of GraphQL errors, decoded into the Conn's buffer when it
// holds escapes; payload itself when the first element has no string
// message.
func firstMessage(c profile.Conn, payload []byte) []byte {
	i := 1 // past '['
	for i < len(payload) && (payload[i] == ' ' || payload[i] == '\t' || payload[i] == '\n' || payload[i] == '\r') {
		i++
	}
	m, kind, ok := jsonpath.Lookup(payload[i:], pathMessage)
	switch {
	case !ok || !kind.IsString():
		return payload
	case kind == jsonpath.KindEscapedString:
		return jsonpath.AppendString(c.Buffer(), m)
	}
	return m
}

// pingPayload returns the payload of a ping or pong: nil when absent or
// null, the object otherwise; ok is false for any other kind.
func pingPayload(msg []byte) (payload []byte, ok bool) {
	raw, kind, found := jsonpath.Lookup(msg, pathPayload)
	switch {
	case !found || kind == jsonpath.KindNull:
		return nil, true
	case kind == jsonpath.KindObject:
		return raw, true
	}
	return nil, false
}

// is reports whether the type field (raw, kind) is s.
func is(raw []byte, kind jsonpath.Kind, s string) bool { return jsonpath.EqualString(raw, kind, s) }

func malformed(c profile.Conn, rule string) {
	c.Event(profile.Event{Kind: profile.Malformed, Rule: rule})
}
