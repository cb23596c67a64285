package tlsrelay

import (
	"crypto/tls"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// phase is where a Relay is.
type phase uint8

const (
	phaseDialing  phase = iota // TCP connect or TLS handshake in progress (client)
	phaseRelaying              // the pumps run
	phaseEnded                 // torn down; the pumps are leaving
)

// endMode is how end closes the TCP connection.
type endMode uint8

const (
	endQuiet endMode = iota // close as it is: a FIN (the kernel's RST if unread data waits)
	endClean                // close_notify first (RFC 8446 §6.1), then close
	endAbort                // SO_LINGER 0: an RST
)

// Relay is one sidecar: a socketpair whose other end a loop owns, and the
// TLS connection it is relayed to. Its methods are safe for concurrent
// use and never block the caller on the network.
type Relay struct {
	pair   *pairSide
	clock  func() time.Duration
	report func(Event)

	cause    atomic.Uint32 // Cause; the first one set wins
	tcpAt    atomic.Int64  // clock time TCP was established; -1 before
	tlsAt    atomic.Int64  // clock time the handshake was done; -1 before
	closeReq atomic.Bool   // Close asked for a clean close

	mu      sync.Mutex
	phase   phase
	tcp     *tcpSide  // once TCP is up
	tc      *tls.Conn // once the handshake is done
	err     error
	cancel  func() // cancels the attempt while dialing
	stopReq Cause  // Abort or Close asked while dialing
	hold    chan struct{}
	ending  chan struct{} // closed when end begins: wakes held pumps
	upDone  bool          // the loop shut down its writing side
	dnDone  bool          // the peer closed its writing side
	active  int           // goroutines of this relay still running
	closed  bool          // done is closed
	done    chan struct{}
}

func newRelay(p *pairSide, clock func() time.Duration, report func(Event)) *Relay {
	if clock == nil {
		clock = sinceStart
	}
	r := &Relay{pair: p, clock: clock, report: report, ending: make(chan struct{}), done: make(chan struct{})}
	r.tcpAt.Store(-1)
	r.tlsAt.Store(-1)
	return r
}

// start is the process's start, the origin of the default clock.
var start = time.Now()

func sinceStart() time.Duration { return time.Since(start) }

// Cause returns why the relay stopped delivering to the loop: CauseNone
// while it runs. It is set before the loop's end can read the EOF that
// follows, so a loop that reads 0 bytes calls Cause to tell a reset
// (CauseReset) from a clean close (CauseEOF) or a failed attempt.
func (r *Relay) Cause() Cause { return Cause(r.cause.Load()) }

// Err returns the error behind Cause, if any.
func (r *Relay) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Times returns when TCP was established and when the TLS handshake was
// done, on the configured clock; negative for a stage not reached. Both
// are set before any byte from the peer reaches the loop's end, so a loop
// that parsed the upgrade response reads them without waiting for events.
func (r *Relay) Times() (tcpAt, tlsAt time.Duration) {
	return time.Duration(r.tcpAt.Load()), time.Duration(r.tlsAt.Load())
}

// ConnectionState returns the TLS connection's state (version, whether it
// resumed a session, the peer's certificates); zero before the handshake.
func (r *Relay) ConnectionState() tls.ConnectionState {
	r.mu.Lock()
	tc := r.tc
	r.mu.Unlock()
	if tc == nil {
		return tls.ConnectionState{}
	}
	return tc.ConnectionState()
}

// Done is closed once the relay has ended and its goroutines are gone.
func (r *Relay) Done() <-chan struct{} { return r.done }

// Abort ends the relay at once with an RST to the peer (SO_LINGER 0), or
// cancels the attempt in flight. The loop's end then reads EOF. A loop
// that wants its peer to see a reset calls Abort before it closes its
// end: closing its end alone is a clean close.
func (r *Relay) Abort() {
	r.mu.Lock()
	switch r.phase {
	case phaseEnded:
		r.mu.Unlock()
		return
	case phaseDialing:
		if r.stopReq == CauseNone {
			r.stopReq = CauseAborted
		}
		cancel, tcp := r.cancel, r.tcp
		r.mu.Unlock()
		if tcp != nil {
			_ = tcp.SetLinger(0)
		}
		if cancel != nil {
			cancel()
		}
		return
	}
	r.mu.Unlock()
	r.end(CauseAborted, nil, endAbort)
}

// Close asks for a clean close: what the loop already wrote is sent, then
// close_notify and a FIN, and the loop's end reads EOF. It returns at
// once; the close itself happens on the relay's goroutine (it may wait
// for a full send buffer to drain, at most 5 s). While dialing, Close
// cancels the attempt.
func (r *Relay) Close() {
	r.mu.Lock()
	switch r.phase {
	case phaseEnded:
		r.mu.Unlock()
	case phaseDialing:
		if r.stopReq == CauseNone {
			r.stopReq = CauseClosed
		}
		cancel := r.cancel
		r.mu.Unlock()
		if cancel != nil {
			cancel()
		}
	default:
		if r.upDone {
			// close_notify and FIN went out when the loop shut down its
			// writing side: only the socket is left to close.
			r.mu.Unlock()
			r.end(CauseClosed, nil, endQuiet)
			return
		}
		r.closeReq.Store(true)
		r.releaseLocked()
		r.mu.Unlock()
		// The relay's reader of the loop's end wakes up to an EOF, after
		// whatever the loop wrote before.
		r.pair.shutdown(unix.SHUT_RD)
	}
}

// Hold stops relaying in both directions, for a blackhole: what arrives
// from either side stays in the kernel's buffers (a few bytes of it in
// the relay's stash), so the peer's kernel still gets ACKs but nothing
// goes through, as for a plain socket a loop stopped watching. An EOF
// from the loop is still noticed; Abort and Close work while held.
func (r *Relay) Hold() {
	r.mu.Lock()
	if r.hold == nil && r.phase != phaseEnded {
		r.hold = make(chan struct{})
	}
	r.mu.Unlock()
}

// Release ends a Hold: relaying resumes with what waited.
func (r *Relay) Release() {
	r.mu.Lock()
	r.releaseLocked()
	r.mu.Unlock()
}

func (r *Relay) releaseLocked() {
	if r.hold != nil {
		close(r.hold)
		r.hold = nil
	}
}

// waitHold parks a pump while the relay is held.
func (r *Relay) waitHold() {
	r.mu.Lock()
	h, e := r.hold, r.ending
	r.mu.Unlock()
	if h != nil {
		select {
		case <-h:
		case <-e:
		}
	}
}

// setCause records c unless a cause was recorded before.
func (r *Relay) setCause(c Cause) {
	r.cause.CompareAndSwap(uint32(CauseNone), uint32(c))
}

// end tears the relay down once: it records the cause (before the loop's
// end can see the EOF), closes the TCP connection as m says, closes the
// sidecar's end of the pair and reports. A clean close may block (a
// close_notify behind a full send buffer, at most 5 s): only the relay's
// own goroutines end with endClean.
func (r *Relay) end(c Cause, err error, m endMode) {
	r.mu.Lock()
	if r.phase == phaseEnded {
		r.mu.Unlock()
		return
	}
	r.phase = phaseEnded
	r.setCause(c)
	if r.err == nil {
		r.err = err
	}
	close(r.ending)
	tcp, tc := r.tcp, r.tc
	r.mu.Unlock()

	switch {
	case tcp == nil:
	case m == endAbort:
		tcp.abort()
	case m == endClean && tc != nil:
		_ = tc.Close()
	default:
		_ = tcp.Close()
	}
	r.pair.close()

	kind := EventClosed
	if r.tlsAt.Load() < 0 {
		kind = EventFailed
	}
	r.emit(Event{Kind: kind, At: r.clock(), Cause: r.Cause(), Err: err})

	r.mu.Lock()
	r.finishLocked()
	r.mu.Unlock()
}

// exit is the last thing each of the relay's goroutines does.
func (r *Relay) exit() {
	r.mu.Lock()
	r.active--
	r.finishLocked()
	r.mu.Unlock()
}

func (r *Relay) finishLocked() {
	if r.active == 0 && r.phase == phaseEnded && !r.closed {
		r.closed = true
		close(r.done)
	}
}

func (r *Relay) emit(e Event) {
	if r.report != nil {
		r.report(e)
	}
}
