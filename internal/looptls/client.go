package looptls

import (
	"context"
	"crypto/tls"
	"fmt"
)

// ErrCanceled is the error of a handshake its loop canceled (its connect
// deadline, the run's drain).
var ErrCanceled = fmt.Errorf("looptls: handshake canceled: %w", context.Canceled)

// Handshake is a client's TLS handshake in progress on a socket a loop
// owns. crypto/tls's handshake is not a state machine a loop can drive, so
// it runs on a goroutine of its own, one per handshake in flight — but in
// step with the loop, as a coroutine: the loop hands it the socket's
// readiness (Step) and waits while it works, until it needs the socket
// again or is done. So the handshake's CPU is the loop's time, seen in its
// busy time and its timers' lateness, and never stands in the Go
// scheduler's queue in front of the loop; and the loop always knows where
// the handshake is: nothing races it for the socket, which stays the
// loop's to close.
//
// The socket stays registered with the loop, edge-triggered for both
// directions; between steps the goroutine is parked, holding its stack.
type Handshake struct {
	conn *Conn
	fd   int
	// resume wakes the goroutine (loop → goroutine), yield hands control
	// back (goroutine → loop). Unbuffered: one of the two runs at a time.
	resume, yield chan struct{}
	// canceled is set by the loop before it resumes; done and err by the
	// goroutine before its last yield. Each is read by the other side only
	// after the channel operation that follows the write.
	canceled bool
	done     bool
	err      error
}

// StartClient starts the client side of the TLS handshake with cfg on fd,
// a connected non-blocking TCP socket its loop watches: it runs the
// handshake until it first waits for the server (its ClientHello written)
// and returns. Call Step when the socket is ready, until Done.
func StartClient(fd int, cfg *tls.Config) *Handshake {
	h := &Handshake{fd: fd, resume: make(chan struct{}), yield: make(chan struct{})}
	c := &Conn{}
	c.w = wire{mode: modeFD, fd: fd, hs: h}
	c.tc = tls.Client(&c.w, cfg)
	h.conn = c
	go h.run()
	<-h.yield
	return h
}

func (h *Handshake) run() {
	err := h.conn.tc.Handshake()
	if err == nil {
		h.conn.toLoop(h.fd)
	}
	h.err, h.done = err, true
	h.yield <- struct{}{}
}

// Step lets the handshake go on, the socket being ready (or not: it reads
// and writes until it would block), and returns when it waits again or is
// done; it reports Done.
func (h *Handshake) Step() bool {
	if h.done {
		return true
	}
	h.resume <- struct{}{}
	<-h.yield
	return h.done
}

// Cancel ends a handshake not done (its connect deadline, the drain): its
// goroutine returns ErrCanceled from its wait and ends before Cancel
// returns. The socket is the caller's to close.
func (h *Handshake) Cancel() {
	if !h.done {
		h.canceled = true
		h.Step()
	}
}

// Done reports whether the handshake has ended, with Result.
func (h *Handshake) Done() bool { return h.done }

// wait hands control back to the loop until its next Step. Once canceled
// it never waits again: whatever crypto/tls still tries ends at once.
func (h *Handshake) wait() error {
	if h.canceled {
		return ErrCanceled
	}
	h.yield <- struct{}{}
	<-h.resume
	if h.canceled {
		return ErrCanceled
	}
	return nil
}

// Result returns the connection, or why the handshake failed; call it
// once Done.
func (h *Handshake) Result() (*Conn, error) {
	if h.err != nil {
		return nil, h.err
	}
	return h.conn, nil
}
