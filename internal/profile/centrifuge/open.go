package centrifuge

import (
	"math"
	"strconv"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
)

// Step values: how far a connection's join went, and whether the server
// wants its pings answered.
const (
	stepConnecting uint8 = 1 // connect and subscribe sent
	stepConnected  uint8 = 2 // connect reply received
	stepSubscribed uint8 = 3 // subscribe reply received: ready
	stepMask       uint8 = 0x0f
	flagPong       uint8 = 0x80 // the connect reply said "pong":true
)

// Open implements profile.Profile: it sends the connect and the subscribe
// commands in one message, newline-separated, as centrifuge-js does when
// both are issued together:
//
//	{"connect":{"token":"…","name":"js"},"id":1}
//	{"subscribe":{"channel":"ticks","flag":1},"id":2}
//
// With --resume the subscribe asks for a recoverable subscription
// ("recoverable":true) and, when an earlier connection of this client
// kept a stream position, to recover from it ("recover":true with its
// "offset" and "epoch"). Command ids go on counting across connections,
// as centrifuge-js counts them.
func (p *Profile) Open(c profile.Conn, st *profile.State) {
	st.Step, st.Ready, st.Partial = stepConnecting, false, nil
	if st.Ref > math.MaxUint32-2 {
		st.Ref = 0
	}
	st.Ref += 2
	connectID, subscribeID := st.Ref-1, st.Ref
	v := c.Vars()

	b := append(c.Buffer(), `{"connect":{`...)
	if p.token != nil {
		mark := len(b)
		b = append(b, `"token":"`...)
		n := len(b)
		if b = p.token.Append(b, v); len(b) == n {
			b = b[:mark] // an empty token is left out, as centrifuge-js leaves it
		} else {
			b = append(b, `",`...)
		}
	}
	b = append(b, `"name":"`+clientName+`"},"id":`...)
	b = strconv.AppendUint(b, uint64(connectID), 10)
	b = append(b, "}\n"+`{"subscribe":{"channel":"`...)
	b = p.channel.Append(b, v)
	b = append(b, '"')
	if p.resume {
		b = append(b, `,"recoverable":true`...)
	}
	b = append(b, `,"flag":1`...)
	if offset, epoch, ok := position(st); ok && p.resume {
		b = append(b, `,"recover":true`...)
		if offset > 0 {
			b = append(b, `,"offset":`...)
			b = strconv.AppendUint(b, offset, 10)
		}
		if len(epoch) > 0 {
			b = append(b, `,"epoch":"`...)
			b = append(b, epoch...)
			b = append(b, '"')
		}
	}
	b = append(b, `},"id":`...)
	b = strconv.AppendUint(b, uint64(subscribeID), 10)
	b = append(b, '}')
	c.Send(profile.SendControl, ws.OpText, b)
}
