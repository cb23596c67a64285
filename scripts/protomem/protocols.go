package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/protocol"
)

// fakeProto is one framework's protocol as the fake server speaks it, and
// the stormbench flags that make the clients speak it.
type fakeProto struct {
	name string
	// path is the URL's path (the profile may add to it, as its
	// reference client does).
	path string
	// args are stormbench run's flags for it: --protocol, --join, …
	args []string
	op   ws.OpCode
	// pingEvery is how often the server pings (0: it does not): the
	// reference servers' defaults.
	pingEvery time.Duration
	// split sends every broadcast as two WebSocket messages, each half a
	// packet, as MQTT over WebSocket allows (and STOMP brokers may do).
	split   bool
	session func() session
}

var connIDs atomic.Int64

// pad is what -pad adds to every broadcast's payload.
var pad string

// seqJSON is a broadcast's payload: {"seq":N}, or {"seq":N,"pad":"…"}.
func seqJSON(seq int64) string {
	if pad != "" {
		return `{"seq":` + strconv.FormatInt(seq, 10) + `,"pad":"` + pad + `"}`
	}
	return `{"seq":` + strconv.FormatInt(seq, 10) + `}`
}

// plainProto is stormbench's own protocol, spoken by a fake server with
// --url: the reference without the embedded server's coordination in the
// load generator's process.
var plainProto = &fakeProto{name: "stormbench-url", path: "/ws", op: ws.OpText,
	args: []string{"--protocol", "stormbench"}, session: func() session { return plain{} }}

// plain answers nothing (the clients' ws-pings are answered by fake.go)
// and broadcasts stormbench's numbered messages.
type plain struct{}

func (plain) opened() [][]byte                     { return nil }
func (plain) handle([]byte) ([][]byte, bool, bool) { return nil, false, true }
func (plain) ping() []byte                         { return nil }
func (plain) data(seq int64) []byte                { return protocol.AppendMsg(nil, seq) }

// fakeProtos is every framework's protocol, in stormbench's order.
var fakeProtos = []*fakeProto{
	{name: "socketio", path: "/", op: ws.OpText, pingEvery: 25 * time.Second,
		args:    []string{"--protocol", "socketio"},
		session: func() session { return &socketIO{id: connIDs.Add(1)} }},
	{name: "graphql-ws", path: "/graphql", op: ws.OpText,
		args:    []string{"--protocol", "graphql-ws", "--join", "subscription { ticks { seq } }", "--seq-field", "data.ticks.seq", "--resume=false"},
		session: func() session { return &graphqlWS{} }},
	{name: "actioncable", path: "/cable", op: ws.OpText, pingEvery: 3 * time.Second,
		args:    []string{"--protocol", "actioncable", "--join", `{"channel":"TicksChannel"}`, "--resume=false"},
		session: func() session { return &actionCable{} }},
	{name: "centrifuge", path: "/connection/websocket", op: ws.OpText, pingEvery: 25 * time.Second,
		args:    []string{"--protocol", "centrifuge", "--join", "ticks"},
		session: func() session { return &centrifuge{id: connIDs.Add(1)} }},
	{name: "phoenix", path: "/socket/websocket", op: ws.OpText,
		args:    []string{"--protocol", "phoenix", "--join", "room:lobby"},
		session: func() session { return &phoenix{} }},
	{name: "signalr", path: "/hub", op: ws.OpText, pingEvery: 15 * time.Second,
		args:    []string{"--protocol", "signalr", "--join", "tick"},
		session: func() session { return &signalR{} }},
	{name: "mqtt", path: "/mqtt", op: ws.OpBinary,
		args:    []string{"--protocol", "mqtt", "--join", "ticks"},
		session: func() session { return &mqtt{} }},
	{name: "stomp", path: "/ws", op: ws.OpText, pingEvery: 10 * time.Second,
		args:    []string{"--protocol", "stomp", "--join", "/topic/ticks"},
		session: func() session { return &stomp{} }},
}

// splitProtos are measured only when named: MQTT and STOMP with every
// broadcast split across two messages, which makes their clients keep
// the packet's buffer (State.Partial) for the next split one.
var splitProtos = []*fakeProto{
	{name: "mqtt-split", path: "/mqtt", op: ws.OpBinary, split: true,
		args:    []string{"--protocol", "mqtt", "--join", "ticks"},
		session: func() session { return &mqtt{} }},
	{name: "stomp-split", path: "/ws", op: ws.OpText, pingEvery: 10 * time.Second, split: true,
		args:    []string{"--protocol", "stomp", "--join", "/topic/ticks"},
		session: func() session { return &stomp{} }},
}

func one(s string) [][]byte { return [][]byte{[]byte(s)} }

// socketIO is Engine.IO 4 / Socket.IO 5 with connection-state recovery:
// every event carries its offset, which the client keeps.
type socketIO struct{ id int64 }

func (s *socketIO) opened() [][]byte {
	return one(fmt.Sprintf(`0{"sid":"%020d","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`, s.id))
}

func (s *socketIO) handle(m []byte) ([][]byte, bool, bool) {
	switch {
	case bytes.HasPrefix(m, []byte("40")):
		return one(fmt.Sprintf(`40{"sid":"s%019d","pid":"p%019d"}`, s.id, s.id)), true, false
	case string(m) == "3":
		return nil, false, false
	}
	return nil, false, true
}

func (s *socketIO) ping() []byte { return []byte("2") }

func (s *socketIO) data(seq int64) []byte {
	return []byte(`42["tick",` + seqJSON(seq) + `,"` + strconv.FormatInt(1e12+seq, 36) + `-0"]`)
}

// graphqlWS is graphql-transport-ws: the ack, then the subscription's
// next messages under the client's id.
type graphqlWS struct{ id string }

func (g *graphqlWS) opened() [][]byte { return nil }

func (g *graphqlWS) handle(m []byte) ([][]byte, bool, bool) {
	var msg struct{ Type, ID string }
	if json.Unmarshal(m, &msg) != nil {
		return nil, false, true
	}
	switch msg.Type {
	case "connection_init":
		return one(`{"type":"connection_ack"}`), false, false
	case "subscribe":
		g.id = msg.ID
		return nil, true, false
	case "ping":
		return one(`{"type":"pong"}`), false, false
	case "pong", "complete":
		return nil, false, false
	}
	return nil, false, true
}

func (g *graphqlWS) ping() []byte { return nil }

func (g *graphqlWS) data(seq int64) []byte {
	return []byte(`{"id":"` + g.id + `","type":"next","payload":{"data":{"ticks":` + seqJSON(seq) + `}}}`)
}

// actionCable is actioncable-v1-json: welcome, the subscription's
// confirmation, pings every 3 s.
type actionCable struct{ identifier string }

func (a *actionCable) opened() [][]byte { return one(`{"type":"welcome"}`) }

func (a *actionCable) handle(m []byte) ([][]byte, bool, bool) {
	var msg struct{ Command, Identifier string }
	if json.Unmarshal(m, &msg) != nil || msg.Command != "subscribe" {
		return nil, false, true
	}
	id, _ := json.Marshal(msg.Identifier)
	a.identifier = string(id)
	return one(`{"identifier":` + a.identifier + `,"type":"confirm_subscription"}`), true, false
}

func (a *actionCable) ping() []byte {
	return []byte(`{"type":"ping","message":` + strconv.FormatInt(time.Now().Unix(), 10) + `}`)
}

func (a *actionCable) data(seq int64) []byte {
	return []byte(`{"identifier":` + a.identifier + `,"message":` + seqJSON(seq) + `}`)
}

// centrifuge is Centrifugo's protocol v2 (JSON): the connect and
// subscribe replies in one message, empty-object pings answered by the
// client, publications with offsets.
type centrifuge struct{ id int64 }

func (c *centrifuge) opened() [][]byte { return nil }

func (c *centrifuge) handle(m []byte) ([][]byte, bool, bool) {
	var out []string
	joined := false
	for _, line := range fields(m, '\n') {
		var cmd struct {
			ID        int64           `json:"id"`
			Connect   json.RawMessage `json:"connect"`
			Subscribe json.RawMessage `json:"subscribe"`
		}
		if json.Unmarshal(line, &cmd) != nil {
			return nil, false, true
		}
		switch {
		case cmd.Connect != nil:
			out = append(out, fmt.Sprintf(`{"id":%d,"connect":{"client":"%036d","version":"6.0.0","ping":25,"pong":true}}`, cmd.ID, c.id))
		case cmd.Subscribe != nil:
			out = append(out, fmt.Sprintf(`{"id":%d,"subscribe":{"recoverable":true,"epoch":"eKHSbFgh","offset":0,"positioned":true}}`, cmd.ID))
			joined = true
		case cmd.ID == 0: // the client's pong, {}
		default:
			return nil, false, true
		}
	}
	if len(out) == 0 {
		return nil, joined, false
	}
	return one(string(bytes.Join(toBytes(out), []byte("\n")))), joined, false
}

func toBytes(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func (c *centrifuge) ping() []byte { return []byte(`{}`) }

func (c *centrifuge) data(seq int64) []byte {
	return []byte(`{"push":{"channel":"ticks","pub":{"data":` + seqJSON(seq) + `,"offset":` + strconv.FormatInt(seq, 10) + `}}}`)
}

// phoenix is Phoenix Channels' V2 JSON serializer: replies echo the join
// and heartbeat references.
type phoenix struct{}

func (p *phoenix) opened() [][]byte { return nil }

func (p *phoenix) handle(m []byte) ([][]byte, bool, bool) {
	var msg []json.RawMessage
	if json.Unmarshal(m, &msg) != nil || len(msg) != 5 {
		return nil, false, true
	}
	reply := func() [][]byte {
		return one(fmt.Sprintf(`[%s,%s,%s,"phx_reply",{"status":"ok","response":{}}]`, msg[0], msg[1], msg[2]))
	}
	switch string(msg[3]) {
	case `"phx_join"`:
		return reply(), true, false
	case `"heartbeat"`:
		return reply(), false, false
	}
	return nil, false, true
}

func (p *phoenix) ping() []byte { return nil }

func (p *phoenix) data(seq int64) []byte {
	return []byte(`[null,null,"room:lobby","tick",` + seqJSON(seq) + `]`)
}

// signalR is the JSON hub protocol: the handshake's empty answer, pings
// both ways every 15 s, invocations of the client's method.
type signalR struct{}

func (s *signalR) opened() [][]byte { return nil }

func (s *signalR) handle(m []byte) ([][]byte, bool, bool) {
	var out [][]byte
	joined, bad := false, false
	for _, rec := range fields(m, 0x1e) {
		var r struct {
			Protocol string
			Type     int
		}
		switch {
		case json.Unmarshal(rec, &r) != nil:
			bad = true
		case r.Protocol == "json":
			out = append(out, []byte("{}\x1e"))
			joined = true
		case r.Type == 6: // the client's ping
		default:
			bad = true
		}
	}
	return out, joined, bad
}

func (s *signalR) ping() []byte { return []byte("{\"type\":6}\x1e") }

func (s *signalR) data(seq int64) []byte {
	return []byte(`{"type":1,"target":"tick","arguments":[` + seqJSON(seq) + "]}\x1e")
}

// mqtt is MQTT 3.1.1: CONNACK, SUBACK, PINGRESP, QoS 0 PUBLISH to
// "ticks".
type mqtt struct{}

func (q *mqtt) opened() [][]byte { return nil }

func (q *mqtt) handle(m []byte) ([][]byte, bool, bool) {
	var out [][]byte
	joined := false
	for len(m) > 0 {
		typ := m[0] >> 4
		n, l, shift := 0, 1, 0
		for {
			if l >= len(m) || shift > 21 {
				return out, joined, true
			}
			b := m[l]
			n |= int(b&0x7f) << shift
			l++
			shift += 7
			if b&0x80 == 0 {
				break
			}
		}
		if l+n > len(m) {
			return out, joined, true
		}
		body := m[l : l+n]
		m = m[l+n:]
		switch typ {
		case 1: // CONNECT
			out = append(out, []byte{0x20, 2, 0, 0})
		case 8: // SUBSCRIBE: granted QoS 0
			if len(body) < 2 {
				return out, joined, true
			}
			out = append(out, []byte{0x90, 3, body[0], body[1], 0})
			joined = true
		case 12: // PINGREQ
			out = append(out, []byte{0xd0, 0})
		case 14: // DISCONNECT
		default:
			return out, joined, true
		}
	}
	return out, joined, false
}

func (q *mqtt) ping() []byte { return nil }

func (q *mqtt) data(seq int64) []byte {
	body := append([]byte{0, 5}, "ticks"...)
	body = append(body, seqJSON(seq)...)
	p := []byte{0x30}
	for n := len(body); ; {
		b := byte(n & 0x7f)
		if n >>= 7; n > 0 {
			p = append(p, b|0x80)
			continue
		}
		p = append(p, b)
		break
	}
	return append(p, body...)
}

// stomp is STOMP 1.2 as RabbitMQ's Web STOMP speaks it: CONNECTED with
// 10 s heart-beats both ways, the subscription's RECEIPT, MESSAGE frames.
type stomp struct{ sub string }

func (s *stomp) opened() [][]byte { return nil }

func (s *stomp) handle(m []byte) ([][]byte, bool, bool) {
	var out [][]byte
	joined := false
	for _, frame := range bytes.Split(m, []byte{0}) {
		frame = bytes.TrimLeft(frame, "\r\n")
		if len(frame) == 0 {
			continue // heart-beats
		}
		lines := bytes.Split(frame, []byte("\n"))
		hdr := map[string]string{}
		for _, l := range lines[1:] {
			if len(l) == 0 {
				break
			}
			if k, v, ok := bytes.Cut(l, []byte(":")); ok {
				hdr[string(k)] = string(v)
			}
		}
		switch string(lines[0]) {
		case "CONNECT", "STOMP":
			out = append(out, []byte("CONNECTED\nversion:1.2\nheart-beat:10000,10000\nserver:protomem\nsession:s\n\n\x00"))
		case "SUBSCRIBE":
			s.sub = hdr["id"]
			if r := hdr["receipt"]; r != "" {
				out = append(out, []byte("RECEIPT\nreceipt-id:"+r+"\n\n\x00"))
			}
			joined = true
		case "DISCONNECT":
			if r := hdr["receipt"]; r != "" {
				out = append(out, []byte("RECEIPT\nreceipt-id:"+r+"\n\n\x00"))
			}
		default:
			return out, joined, true
		}
	}
	return out, joined, false
}

func (s *stomp) ping() []byte { return []byte("\n") }

func (s *stomp) data(seq int64) []byte {
	body := seqJSON(seq)
	return []byte("MESSAGE\nsubscription:" + s.sub + "\ndestination:/topic/ticks\nmessage-id:" + strconv.FormatInt(seq, 10) +
		"\ncontent-type:application/json\ncontent-length:" + strconv.Itoa(len(body)) + "\n\n" + body + "\x00")
}
