package phoenix

import (
	"math"
	"strconv"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
)

// Step values: how far the join went, and whether a heartbeat awaits its
// reply.
const (
	stepJoining   uint8 = 1 // phx_join sent
	stepJoined    uint8 = 2 // its reply said ok
	stepMask      uint8 = 0x0f
	flagHeartbeat uint8 = 0x80 // a heartbeat (ref State.Ref) awaits its reply
)

// joinRef is the reference of a connection's join: the first of its
// references (State.Ref counts them; heartbeats take the next ones).
// phoenix.js numbers references across the whole socket, so its first
// join goes out as "3" and later ones higher; the server echoes whatever
// it got, per connection.
const joinRef = 1

// Open implements profile.Profile: it joins the topic, on every new
// connection (phoenix.js rejoins its channels as soon as a connection
// opens):
//
//	["1","1","room:lobby","phx_join",{}]
//
// The join's payload is --auth, rendered for the client.
func (p *Profile) Open(c profile.Conn, st *profile.State) {
	st.Step, st.Ready, st.Partial, st.Ref = stepJoining, false, nil, joinRef
	v := c.Vars()
	b := append(c.Buffer(), `["1","1","`...)
	b = p.topic.Append(b, v)
	b = append(b, `","phx_join",`...)
	if p.payload != nil {
		b = p.payload.Append(b, v)
	} else {
		b = append(b, '{', '}')
	}
	b = append(b, ']')
	c.Send(profile.SendControl, ws.OpText, b)
}

// Ping implements profile.Profile: the heartbeat phoenix.js sends every
// heartbeatIntervalMs, on the reserved topic "phoenix"; the server's
// phx_reply to it is the Pong.
//
//	[null,"2","phoenix","heartbeat",{}]
func (p *Profile) Ping(c profile.Conn, st *profile.State) bool {
	if st.Ref == math.MaxUint32 {
		st.Ref = joinRef
	}
	st.Ref++
	st.Step |= flagHeartbeat
	b := append(c.Buffer(), `[null,"`...)
	b = strconv.AppendUint(b, uint64(st.Ref), 10)
	b = append(b, `","phoenix","heartbeat",{}]`...)
	c.Send(profile.SendPing, ws.OpText, b)
	return true
}
