package looptls

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"time"

	"github.com/stormbench/stormbench/internal/evloop"
	"golang.org/x/sys/unix"
)

// Conn is a TLS connection: a *tls.Conn over this package's wire. Before
// the handshake is done a goroutine owns it; after, the loop that owns its
// socket (see the package doc). Its loop-side methods (Fill, Read, Seal,
// CloseNotify) are for that loop's goroutine only.
type Conn struct {
	tc *tls.Conn
	w  wire
	// borrowed: crypto/tls's raw input buffer is the loop's scratch, lent
	// by Fill until the end of the event (Read settles it).
	borrowed bool
}

// mode is how the wire under the tls.Conn moves bytes.
type mode uint8

const (
	// modeNet: blocking, through a net.Conn (a handshake on the server's
	// accepting goroutine, tools, tests).
	modeNet mode = iota
	// modeFD: blocking, on a socket a loop owns and watches for the
	// handshake's goroutine (StartClient).
	modeFD
	// modeLoop: the loop drives it; nothing blocks.
	modeLoop
)

// wire is the net.Conn under the tls.Conn.
type wire struct {
	mode mode
	fd   int
	nc   net.Conn   // modeNet
	hs   *Handshake // modeFD
	// in is the ciphertext the loop read and crypto/tls did not take yet
	// (modeLoop without internals); out is the buffer Seal lent, which
	// the records crypto/tls writes are appended to (modeLoop).
	in, out []byte
}

// wouldBlock is the wire's answer, once the loop drives it, to a read
// with nothing left to read: a net.Error whose Temporary() is true, on
// which crypto/tls keeps its state (readRecordOrCCS) so that the loop can
// call it again when more has arrived.
type wouldBlock struct{}

func (wouldBlock) Error() string   { return "looptls: no more input for now" }
func (wouldBlock) Timeout() bool   { return true }
func (wouldBlock) Temporary() bool { return true }

func (w *wire) Read(p []byte) (int, error) {
	switch w.mode {
	case modeNet:
		return w.nc.Read(p)
	case modeFD:
		for {
			n, err := unix.Read(w.fd, p)
			switch {
			case n > 0:
				return n, nil
			case err == nil:
				return 0, io.EOF
			case err == unix.EINTR:
			case err == unix.EAGAIN:
				if err := w.hs.wait(); err != nil {
					return 0, err
				}
			default:
				return 0, opError("read", err)
			}
		}
	}
	if len(w.in) == 0 {
		return 0, wouldBlock{}
	}
	n := copy(p, w.in)
	w.in = w.in[n:]
	return n, nil
}

func (w *wire) Write(p []byte) (int, error) {
	switch w.mode {
	case modeNet:
		return w.nc.Write(p)
	case modeFD:
		done := 0
		for done < len(p) {
			n, err := unix.Write(w.fd, p[done:])
			switch {
			case n > 0:
				done += n
			case err == unix.EINTR:
			case err == unix.EAGAIN:
				if err := w.hs.wait(); err != nil {
					return done, err
				}
			default:
				return done, opError("write", err)
			}
		}
		return done, nil
	}
	w.out = append(w.out, p...)
	return len(p), nil
}

// Close closes a net.Conn's connection; a socket a loop owns is its
// owner's to close.
func (w *wire) Close() error {
	if w.mode == modeNet {
		return w.nc.Close()
	}
	return nil
}

func (w *wire) LocalAddr() net.Addr {
	if w.mode == modeNet {
		return w.nc.LocalAddr()
	}
	return noAddr{}
}

func (w *wire) RemoteAddr() net.Addr {
	if w.mode == modeNet {
		return w.nc.RemoteAddr()
	}
	return noAddr{}
}

// Deadlines are the net.Conn's during a handshake over one; a loop keeps
// its own timers.
func (w *wire) SetDeadline(t time.Time) error {
	if w.mode == modeNet {
		return w.nc.SetDeadline(t)
	}
	return nil
}

func (w *wire) SetReadDeadline(t time.Time) error {
	if w.mode == modeNet {
		return w.nc.SetReadDeadline(t)
	}
	return nil
}

func (w *wire) SetWriteDeadline(t time.Time) error {
	if w.mode == modeNet {
		return w.nc.SetWriteDeadline(t)
	}
	return nil
}

// noAddr is the address of a socket the wire does not look up (crypto/tls
// asks for it only to key a session cache without a server name).
type noAddr struct{}

func (noAddr) Network() string { return "tcp" }
func (noAddr) String() string  { return "" }

func opError(op string, errno error) error {
	return &net.OpError{Op: op, Net: "tcp", Err: os.NewSyscallError(op, errno)}
}

// toLoop hands the connection, its handshake done, to the loop that owns
// fd, and lets go of what the handshake left in crypto/tls's buffers.
func (c *Conn) toLoop(fd int) {
	c.w.mode, c.w.fd, c.w.nc, c.w.hs = modeLoop, fd, nil, nil
	if rb := rawInput(c.tc); rb != nil {
		c.settle(rb)
	}
}

// TLS returns the *tls.Conn: for I/O through it before Detach (an HTTP
// upgrade on the accepting goroutine), and its ConnectionState.
func (c *Conn) TLS() *tls.Conn { return c.tc }

// Fill reads what socket fd holds (fd must be the connection's own) into
// crypto/tls's input; scratch is the loop's buffer, lent to the connection
// until Read has returned 0 bytes and no error. It returns what the read
// returned: n == 0 with a nil error is the peer's FIN (RST: ECONNRESET),
// unix.EAGAIN nothing to read. Then call Read until it returns 0.
func (c *Conn) Fill(fd int, scratch []byte) (int, error) {
	rb := rawInput(c.tc)
	if rb == nil {
		n, err := evloop.Read(fd, scratch)
		c.w.in = scratch[:n]
		return n, err
	}
	if !c.borrowed {
		// The socket's bytes go after the part of a record kept from the
		// last event, if any: both in the scratch.
		k := copy(scratch, rb.Bytes())
		*rb = *bytes.NewBuffer(scratch[:k])
		c.borrowed = true
	}
	avail := rb.AvailableBuffer()
	avail = avail[:cap(avail)]
	if len(avail) == 0 {
		return 0, unix.EAGAIN
	}
	n, err := evloop.Read(fd, avail)
	if n > 0 {
		rb.Write(avail[:n])
	}
	return n, err
}

// Pending reports whether crypto/tls holds input not read yet: what
// arrived behind a handshake done off the loop. The loop calls Read
// before it waits for the socket.
func (c *Conn) Pending() bool {
	if rb := rawInput(c.tc); rb != nil {
		return rb.Len() > 0 || plainInput(c.tc).Len() > 0
	}
	return false
}

// Read returns the next plaintext of what Fill read, at most one record's
// (p should hold 16 KiB, a whole record). It returns 0 and no error when
// it needs more from the socket: the scratch Fill lent is then given back.
// It may return bytes and an error together (a record and the
// close_notify behind it): use the bytes first. An error ends the
// connection: io.EOF for the peer's close_notify, a
// *net.OpError with an alert, or a record that did not decrypt.
func (c *Conn) Read(p []byte) (int, error) {
	rb := rawInput(c.tc)
	if rb != nil && plainInput(c.tc).Len() == 0 && !recordReady(rb.Bytes()) {
		c.settle(rb)
		return 0, nil
	}
	n, err := c.tc.Read(p)
	if _, ok := err.(wouldBlock); ok {
		err = nil
	}
	if n == 0 && err == nil && rb != nil {
		// crypto/tls took a record of its own (a session ticket) and asked
		// for more.
		c.settle(rb)
	}
	return n, err
}

// maxCiphertext is the longest record crypto/tls accepts (TLS 1.2's
// 2^14 + 2048, RFC 5246 §6.2.3; TLS 1.3 allows less). A Fill scratch must
// hold one: MinScratch.
const maxCiphertext = 16384 + 2048

// MinScratch is the smallest scratch Fill may be lent: a whole record of
// the longest kind and its header.
const MinScratch = 5 + maxCiphertext

// recordReady reports whether b starts with a whole TLS record (RFC 8446
// §5.1: a 5-byte header whose last two bytes are the length), or with a
// header crypto/tls will refuse at once (a length no record may have), so
// that a peer's garbage fails the connection instead of waiting for bytes
// that cannot fit.
func recordReady(b []byte) bool {
	if len(b) < 5 {
		return false
	}
	n := int(b[3])<<8 | int(b[4])
	return len(b) >= 5+n || n > maxCiphertext
}

// settle ends an event: an empty input buffer is dropped (the scratch goes
// back to the loop), a record cut short by the socket is copied out of
// the scratch into memory of its own, until the next Fill.
func (c *Conn) settle(rb *bytes.Buffer) {
	if pi := plainInput(c.tc); pi.Len() == 0 {
		pi.Reset(nil)
	}
	if hb := handBuf(c.tc); hb.Len() == 0 && hb.Cap() > 0 {
		*hb = bytes.Buffer{}
	}
	switch {
	case rb.Len() == 0:
		*rb = bytes.Buffer{}
	case c.borrowed:
		own := make([]byte, rb.Len())
		copy(own, rb.Bytes())
		*rb = *bytes.NewBuffer(own)
	}
	c.borrowed = false
}

// Seal appends to out the records that carry p, as crypto/tls writes
// them; the caller writes them to the socket (whole and in order: a
// record lost would break every later one).
func (c *Conn) Seal(out, p []byte) ([]byte, error) {
	c.w.out = out
	_, err := c.tc.Write(p)
	out = c.w.out
	c.w.out = nil
	return out, err
}

// CloseNotify appends to out the close_notify alert (RFC 8446 §6.1) that
// ends what this side sends, once; later Seals fail.
func (c *Conn) CloseNotify(out []byte) []byte {
	c.w.out = out
	_ = c.tc.CloseWrite()
	out = c.w.out
	c.w.out = nil
	return out
}

// Close ends a connection still on its handshake's net.Conn (before
// Detach), cleanly: close_notify, then the net.Conn's Close.
func (c *Conn) Close() error { return c.tc.Close() }

// Detach moves a connection whose handshake ran over a net.Conn (Server,
// Client) to a loop: it takes the socket away from Go's netpoller
// (evloop.Detach) and returns its descriptor, which the loop owns from now
// on. Whatever crypto/tls read ahead stays buffered (Pending).
func (c *Conn) Detach() (int, error) {
	if c.w.mode != modeNet {
		return -1, errors.New("looptls: Detach of a connection not on a net.Conn")
	}
	_ = c.w.nc.SetDeadline(time.Time{})
	fd, err := evloop.Detach(c.w.nc)
	if err != nil {
		c.w.nc = nil
		c.w.mode = modeLoop
		return -1, err
	}
	c.toLoop(fd)
	return fd, nil
}
