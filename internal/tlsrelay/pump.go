package tlsrelay

import (
	"errors"
	"io"

	"golang.org/x/sys/unix"
)

// The relay's two pumps, one goroutine per direction. Each parks in the
// netpoller on its source with no buffer but its 128-byte stash, takes a
// pooled buffer only when more than the stash holds is waiting, and gives
// it back before it parks again.
//
// Half-closes cross the sidecar as they would a plain socket: the peer's
// close_notify or FIN becomes a shutdown(SHUT_WR) of the sidecar's end
// (the loop reads EOF), the loop's shutdown(SHUT_WR) becomes close_notify
// and a FIN. The relay ends when both directions are done, when the loop
// closes its end altogether, or on the first error.

// down relays the peer to the loop: TLS records in, plaintext out. It
// waits on the TCP socket, then has crypto/tls decrypt one record (which
// is all it was handed) and writes the plaintext to the loop's end. The
// first round instead drains crypto/tls until it would block: during the
// handshake (and the server's upgrade) it read without limit, and may
// hold more than one record.
func (r *Relay) down() {
	defer r.exit()
	all := true
	for {
		r.waitHold()
		if !r.drain(all) {
			return
		}
		all = false
		if err := r.tcp.wait(); err != nil {
			// Closed under us: the relay is ending.
			return
		}
	}
}

// drain reads from the TLS connection and writes what it gets to the
// loop's end: once data came, or until it would block. It reports false
// when the direction is done. bufSize being the largest plaintext of a
// record, one Read takes all of the record crypto/tls decrypted.
func (r *Relay) drain(all bool) bool {
	buf := getBuf()
	defer putBuf(buf)
	for {
		n, err := r.tc.Read(buf[:])
		if n > 0 {
			if werr := r.pair.write(buf[:n]); werr != nil {
				r.loopGone(werr)
				return false
			}
		}
		switch {
		case err == nil:
			if n > 0 && !all {
				return true
			}
		case errors.Is(err, errWouldBlock):
			return true
		case errors.Is(err, io.EOF):
			r.peerDone()
			return false
		case isClosed(err):
			return false
		default:
			c := Classify(err)
			if c == CauseOther || c == CauseHandshake || c == CauseCertificate {
				// A broken record, a bad MAC, an alert: the TLS connection
				// is unusable, which to the loop is a reset.
				c = CauseReset
			}
			r.end(c, err, endQuiet)
			return false
		}
	}
}

// up relays the loop to the peer: plaintext in, TLS records out, one
// record per read (at most 16 KiB, the largest a record carries).
func (r *Relay) up() {
	defer r.exit()
	for {
		data, err := r.pair.wait()
		if err != nil && !errors.Is(err, io.EOF) {
			if !isClosed(err) {
				r.loopGone(err)
			}
			return
		}
		if len(data) > 0 {
			r.waitHold()
			var buf *[bufSize]byte
			if len(data) == stashSize {
				// More may wait behind what the stash took.
				buf = getBuf()
				n := copy(buf[:], data)
				m, rerr := r.pair.readMore(buf[n:])
				data, err = buf[:n+m], rerr
			}
			_, werr := r.tc.Write(data)
			if buf != nil {
				putBuf(buf)
			}
			if werr != nil {
				r.end(writeCause(werr), werr, endQuiet)
				return
			}
			if err != nil && !errors.Is(err, io.EOF) {
				r.loopGone(err)
				return
			}
		}
		if errors.Is(err, io.EOF) {
			r.loopDone()
			return
		}
	}
}

// writeCause classifies a failed write to the peer: a closed or reset
// connection is a reset, a deadline (close_notify blocked) a timeout.
func writeCause(err error) Cause {
	if c := Classify(err); c != CauseOther {
		return c
	}
	return CauseReset
}

// peerDone handles the peer's close_notify or FIN: the loop reads EOF
// after everything before it.
func (r *Relay) peerDone() {
	r.setCause(CauseEOF)
	r.pair.shutdown(unix.SHUT_WR)
	r.mu.Lock()
	r.dnDone = true
	both := r.upDone
	r.mu.Unlock()
	if both {
		r.end(CauseEOF, nil, endQuiet)
	}
}

// loopDone handles the loop's EOF: a Close, a close of the loop's end
// (clean close), or a shutdown(SHUT_WR) of it (close_notify and FIN, and
// the peer may go on sending until it closes too).
func (r *Relay) loopDone() {
	if r.closeReq.Load() || r.pair.gone() {
		r.end(CauseClosed, nil, endClean)
		return
	}
	_ = r.tc.CloseWrite()
	_ = r.tcp.CloseWrite()
	r.mu.Lock()
	r.upDone = true
	both := r.dnDone
	r.mu.Unlock()
	if both {
		r.end(CauseEOF, nil, endQuiet)
		return
	}
	// Wait for the loop to close its end, or for the relay to end (the
	// peer's close): closing the socket before would cut the peer short.
	if err := r.pair.waitGone(); err == nil {
		r.end(CauseClosed, nil, endQuiet)
	}
}

// loopGone handles an error on the loop's end: EPIPE when the loop closed
// it while the peer was still sending, ECONNRESET when the loop closed it
// with bytes unread. A plain socket closed with unread bytes sends an
// RST; so does the relay.
func (r *Relay) loopGone(err error) {
	if errors.Is(err, unix.ECONNRESET) {
		r.end(CauseAborted, err, endAbort)
		return
	}
	r.end(CauseClosed, err, endClean)
}
