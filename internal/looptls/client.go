package looptls

import (
	"context"
	"crypto/tls"
	"fmt"
	"sync"

	"github.com/stormbench/stormbench/internal/evloop"
)

// ErrCanceled is the error of a handshake its loop canceled (its connect
// deadline, the run's drain).
var ErrCanceled = fmt.Errorf("looptls: handshake canceled: %w", context.Canceled)

// Handshake is a client's TLS handshake in progress on a socket a loop
// owns, run by a goroutine that lives as long as the handshake: one per
// handshake in flight, started when its TCP connection is up, so that
// nothing but the CPU stands between an attempt and its handshake.
//
// The socket stays registered with the loop, edge-triggered, for both
// directions: the loop passes each readiness on with Wake, and the
// goroutine reads and writes the socket itself until the handshake is
// done. Then done is called on the goroutine; it hands the Handshake to
// the loop (evloop.Loop.Submit), which takes the connection with Conn.
//
// Who closes the socket: the loop, unless it canceled the handshake while
// the goroutine still ran (Cancel reports which).
type Handshake struct {
	conn *Conn
	fd   int
	wake chan struct{}
	done func(*Handshake) bool
	wg   *sync.WaitGroup

	mu    sync.Mutex
	state hsState
	err   error
}

type hsState uint8

const (
	hsRunning   hsState = iota
	hsFinished          // the goroutine is done; done was called
	hsCanceled          // the loop canceled it
	hsAbandoned         // done could not hand it over (the loop is gone): the goroutine closed the socket
)

// StartClient starts the client side of the TLS handshake with cfg on fd,
// a connected non-blocking TCP socket whose loop passes its readiness on
// (Wake). done is called once on the handshake's goroutine when the
// handshake succeeded or failed, unless it was canceled first; it must
// not block, and reports whether the loop will take the result (false:
// the loop is gone, and the goroutine closes the socket). wg, when not
// nil, counts the goroutine.
func StartClient(fd int, cfg *tls.Config, wg *sync.WaitGroup, done func(*Handshake) bool) *Handshake {
	h := &Handshake{fd: fd, wake: make(chan struct{}, 1), done: done, wg: wg}
	c := &Conn{}
	c.w = wire{mode: modeFD, fd: fd, hs: h}
	c.tc = tls.Client(&c.w, cfg)
	h.conn = c
	if wg != nil {
		wg.Add(1)
	}
	go h.run()
	return h
}

func (h *Handshake) run() {
	if h.wg != nil {
		defer h.wg.Done()
	}
	err := h.conn.tc.Handshake()
	h.mu.Lock()
	if h.state == hsCanceled {
		// The loop let go of the socket when it canceled: it is ours.
		h.mu.Unlock()
		_ = evloop.Abort(h.fd)
		return
	}
	h.state, h.err = hsFinished, err
	if err == nil {
		h.conn.toLoop(h.fd)
	}
	h.mu.Unlock()
	if h.done(h) {
		return
	}
	h.mu.Lock()
	abandoned := h.state == hsFinished
	if abandoned {
		h.state = hsAbandoned
	}
	h.mu.Unlock()
	if abandoned {
		_ = evloop.Abort(h.fd)
	}
}

// Wake tells the handshake's goroutine that its socket became readable or
// writable. It never blocks; call it from the loop.
func (h *Handshake) Wake() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Cancel stops the handshake (its connect deadline passed, the run
// drains). It reports whether the socket is the loop's to close: true when
// the goroutine had finished (its result, if still queued for the loop,
// must be ignored); false when the goroutine closes it — the loop must
// then only take it out of epoll, never close it (the descriptor would be
// reused under the goroutine).
func (h *Handshake) Cancel() (loopCloses bool) {
	h.mu.Lock()
	prev := h.state
	if prev == hsRunning || prev == hsFinished {
		h.state = hsCanceled
	}
	h.mu.Unlock()
	if prev == hsRunning {
		h.Wake()
	}
	return prev == hsFinished
}

// wait parks the handshake's goroutine until the loop says the socket is
// ready, or canceled it.
func (h *Handshake) wait() error {
	if h.canceled() {
		return ErrCanceled
	}
	<-h.wake
	if h.canceled() {
		return ErrCanceled
	}
	return nil
}

func (h *Handshake) canceled() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.state == hsCanceled
}

// Result returns the connection, or why the handshake failed; call it on
// the loop once done handed the Handshake over.
func (h *Handshake) Result() (*Conn, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err != nil {
		return nil, h.err
	}
	return h.conn, nil
}

// FD returns the socket the handshake runs on.
func (h *Handshake) FD() int { return h.fd }
