package wsframe_test

import (
	"fmt"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/wsframe"
)

// conn is how a connection embeds its decoder and is its own Handler.
type conn struct {
	dec    wsframe.Decoder
	closed bool
}

func (c *conn) Message(_ time.Duration, op ws.OpCode, p []byte, wire int) bool {
	fmt.Printf("message op %d %q (%d bytes on the wire)\n", op, p, wire)
	return !c.closed
}

func (c *conn) Skipped(_ time.Duration, op ws.OpCode, size int64, wire int) bool {
	fmt.Printf("skipped op %d of %d bytes\n", op, size)
	return !c.closed
}

func (c *conn) Control(_ time.Duration, op ws.OpCode, p []byte, wire int) bool {
	fmt.Printf("control op %d %q\n", op, p)
	return !c.closed
}

// serverFrames is shared by every connection of a server.
var serverFrames = wsframe.Config{Role: wsframe.Server}

func Example() {
	var w wsframe.Writer
	mask := [4]byte{1, 2, 3, 4}
	// What a client sent: a masked text frame and a ping, arriving in two
	// reads split in the middle of the text.
	stream := append([]byte(nil), w.Frame(ws.OpText, []byte("héllo"), &mask)...)
	stream = append(stream, w.Frame(ws.OpPing, []byte("t"), &mask)...)
	stream = append(stream, 0x81, 0x02) // then an unmasked frame: a protocol error

	c := &conn{}
	for _, read := range [][]byte{stream[:5], stream[5:]} {
		if err := c.dec.Feed(&serverFrames, read, c, 0); err != nil {
			rule := err.(wsframe.Rule)
			fmt.Printf("fail the connection: %s, close code %d\n", rule.String(), rule.CloseCode())
			// Send w.Close(rule.CloseCode(), "", nil), close the socket,
			// and Reset the decoder before it reads another connection.
			c.dec.Reset()
		}
	}
	// Output:
	// message op 1 "héllo" (12 bytes on the wire)
	// control op 9 "t"
	// fail the connection: unmasked_frame, close code 1002
}
