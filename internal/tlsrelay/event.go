package tlsrelay

import "time"

// EventKind says what an Event reports.
type EventKind uint8

// Event kinds, in the order an attempt goes through them.
const (
	// EventTCP: the TCP connection is established (client only).
	EventTCP EventKind = iota + 1
	// EventTLS: the TLS handshake is done and the relay runs (client only).
	EventTLS
	// EventFailed: the attempt failed before EventTLS; the sidecar's end
	// is closed, so the loop's end reads EOF.
	EventFailed
	// EventClosed: a running relay ended; the sidecar's end is closed.
	EventClosed
)

var eventNames = [...]string{"", "tcp", "tls", "failed", "closed"}

// String returns the kind's name.
func (k EventKind) String() string {
	if int(k) < len(eventNames) {
		return eventNames[k]
	}
	return "event?"
}

// Event is what a sidecar reports to its owner's callback. The callback
// runs on a sidecar goroutine (or, for EventClosed after Abort or Close,
// on the caller's), must not block, and should hand the event to its
// loop (evloop.Loop.Submit). A loop may see the bytes or the EOF an event
// precedes before the event itself: what it needs synchronously it reads
// from the Relay (Cause, Timing), which is set before.
type Event struct {
	Kind EventKind
	// At is when it happened, on the clock of the ClientConfig.
	At time.Duration
	// Cause is why (EventFailed, EventClosed).
	Cause Cause
	// Err is the underlying error (EventFailed, EventClosed), if any.
	Err error
	// Resumed: the TLS session was resumed from a ticket (EventTLS).
	Resumed bool
	// Version is the negotiated TLS version, tls.VersionTLS13 … (EventTLS).
	Version uint16
}
