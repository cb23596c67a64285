package wsframe

import (
	"time"

	"github.com/gobwas/ws"
)

// Handler receives what a Decoder reads. Every method reports whether the
// owner still wants the rest of the bytes it fed: false (it closed the
// connection) makes Feed return nil at once, dropping them, and the
// decoder must then be Reset before it reads another connection. A
// handler must not call Feed of the same decoder.
//
// at is the time Feed was given; wire counts the bytes the delivery took
// on the wire, frame headers included, so that traffic can be accounted
// exactly.
type Handler interface {
	// Message receives a whole data message no longer than Config.Keep,
	// its fragments reassembled and unmasked (§5.4): op is ws.OpText
	// (UTF-8 already validated, §8.1) or ws.OpBinary. payload is only
	// valid during the call; it may alias the bytes given to Feed.
	Message(at time.Duration, op ws.OpCode, payload []byte, wire int) bool
	// Skipped reports a data message longer than Config.Keep once its last
	// fragment arrived: its length and wire bytes. Its payload was dropped
	// as it streamed by; a text message was still validated as UTF-8.
	Skipped(at time.Duration, op ws.OpCode, size int64, wire int) bool
	// Control receives a ping, pong or close frame once validated (§5.5):
	// at most 125 bytes, and for a close frame either empty or a valid
	// status code (§7.4) and UTF-8 reason. It may arrive between the
	// fragments of a data message. payload is only valid during the call.
	Control(at time.Duration, op ws.OpCode, payload []byte, wire int) bool
}
