package tlsrelay

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// errWouldBlock is what tcpSide.Read returns in poll mode when the socket
// has nothing: a temporary net.Error, which crypto/tls passes up from
// Conn.Read without marking the connection broken (only errors that are
// not temporary are sticky), so the same Conn reads on after the next
// wait.
var errWouldBlock error = wouldBlock{}

type wouldBlock struct{}

func (wouldBlock) Error() string   { return "tlsrelay: would block" }
func (wouldBlock) Timeout() bool   { return true }
func (wouldBlock) Temporary() bool { return true }

// tcpSide is the net.Conn under the tls.Conn: the TCP connection, whose
// Read blocks as usual during the handshake and never blocks once the
// relay runs (poll mode). The relay then waits for data itself, with
// wait, which parks without holding a buffer: an idle connection's TLS
// reader holds no buffer of the relay's.
type tcpSide struct {
	*net.TCPConn
	rc   syscall.RawConn
	poll bool
	fr   framer // record boundaries of what crypto/tls was handed

	stash  [stashSize]byte
	lo, hi int   // what of the stash is still to be read
	serr   error // what the read that ended the wait met, after the stash

	rbuf []byte
	rn   int
	rerr error

	waitFn, readFn func(uintptr) bool
}

func newTCPSide(c net.Conn) (*tcpSide, error) {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return nil, fmt.Errorf("tlsrelay: %T is not a *net.TCPConn", c)
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("tlsrelay: %w", err)
	}
	t := &tcpSide{TCPConn: tc, rc: rc}
	t.waitFn, t.readFn = t.waitOnce, t.readOnce
	return t, nil
}

// Read is what crypto/tls reads the TCP stream with. In poll mode it
// hands over at most the rest of the current TLS record: first from the
// stash, then from the socket without waiting; errWouldBlock when it has
// nothing at all.
func (t *tcpSide) Read(b []byte) (int, error) {
	if !t.poll {
		n, err := t.TCPConn.Read(b)
		t.fr.feed(b[:n])
		return n, err
	}
	n := 0
	for n < len(b) {
		room := min(len(b)-n, t.fr.limit())
		var k int
		if t.lo < t.hi {
			k = copy(b[n:n+room], t.stash[t.lo:t.hi])
			t.lo += k
		} else {
			if t.serr != nil {
				if n > 0 {
					break
				}
				return 0, t.serr
			}
			t.rbuf = b[n : n+room]
			err := t.rc.Read(t.readFn)
			t.rbuf = nil
			if err != nil {
				if n > 0 {
					break
				}
				return 0, err
			}
			if t.rn == 0 {
				if n > 0 {
					if t.rerr != errWouldBlock {
						t.serr = t.rerr // for the next call
					}
					break
				}
				return 0, t.rerr
			}
			k = t.rn
		}
		t.fr.feed(b[n : n+k])
		n += k
		if t.fr.boundary() {
			break
		}
	}
	return n, nil
}

func (t *tcpSide) readOnce(fd uintptr) bool {
	for {
		n, err := unix.Read(int(fd), t.rbuf)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			t.rn, t.rerr = 0, errWouldBlock
		case err != nil:
			t.rn, t.rerr = 0, readError(err)
		case n == 0:
			t.rn, t.rerr = 0, io.EOF
		default:
			t.rn, t.rerr = n, nil
		}
		return true
	}
}

// wait parks until the socket has data, its peer's FIN or an error, and
// keeps what the read that ended the wait returned for Read. It returns an
// error only when the socket was closed under it (by the relay's end).
func (t *tcpSide) wait() error {
	if t.lo < t.hi || t.serr != nil {
		return nil
	}
	return t.rc.Read(t.waitFn)
}

func (t *tcpSide) waitOnce(fd uintptr) bool {
	for {
		n, err := unix.Read(int(fd), t.stash[:])
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return false
		case err != nil:
			t.serr = readError(err)
		case n == 0:
			t.serr = io.EOF
		default:
			t.lo, t.hi = 0, n
		}
		return true
	}
}

// readError wraps an errno as the net package would, so that callers'
// errors.Is(err, syscall.ECONNRESET) and net.Error checks work.
func readError(err error) error {
	return &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", err)}
}

// abort closes the socket with SO_LINGER 0: the peer gets an RST.
func (t *tcpSide) abort() {
	_ = t.SetLinger(0)
	_ = t.TCPConn.Close()
}

// isClosed reports an error that means the socket was closed under us.
func isClosed(err error) bool {
	return errors.Is(err, net.ErrClosed) || errors.Is(err, os.ErrClosed)
}

var _ syscall.Conn = (*tcpSide)(nil)
