package tlsrelay

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// SocketBuffer is the SO_SNDBUF of both ends of a sidecar's socketpair
// and the SO_RCVBUF and SO_SNDBUF of its TCP socket (unless the client
// configuration says otherwise): the same 64 KiB bound the load
// generator puts on its plain sockets, so that a reader that lags cannot
// make the kernel queue megabytes per connection. On AF_UNIX only the
// sender's buffer counts.
const SocketBuffer = 64 << 10

// pairSide is the sidecar's end of the socketpair, in Go's netpoller so
// that the goroutines relaying it park there. Its waits read into a small
// stash of its own; the pooled buffer is taken only when more is waiting.
type pairSide struct {
	f  *os.File
	rc syscall.RawConn

	stash [stashSize]byte
	n     int   // bytes the last wait or read put in its buffer
	err   error // io.EOF, or the errno the last wait or read met

	rbuf []byte // where readFn reads
	wbuf []byte // what writeFn writes
	werr error

	waitFn, readFn, writeFn, hupFn func(uintptr) bool
}

// newPair makes the socketpair and returns the loop's end (a plain
// non-blocking descriptor) and the sidecar's.
func newPair() (int, *pairSide, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, nil, fmt.Errorf("socketpair: %w", err)
	}
	for _, fd := range fds {
		_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, SocketBuffer)
	}
	// os.NewFile sees the descriptor is non-blocking and registers it with
	// the netpoller; net.FileConn would dup it (a fourth descriptor).
	f := os.NewFile(uintptr(fds[1]), "tlsrelay")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		unix.Close(fds[0])
		return -1, nil, fmt.Errorf("socketpair raw conn: %w", err)
	}
	p := &pairSide{f: f, rc: rc}
	// Method values made once: RawConn's callbacks then cost no allocation.
	p.waitFn, p.readFn, p.writeFn, p.hupFn = p.waitOnce, p.readOnce, p.writeOnce, p.hupOnce
	return fds[0], p, nil
}

// wait parks until the loop wrote something, closed or shut down its end,
// and returns the stash with what the first read got; io.EOF when the loop
// is done writing. Other errors mean the sidecar's end was closed.
func (p *pairSide) wait() ([]byte, error) {
	if err := p.rc.Read(p.waitFn); err != nil {
		return nil, err
	}
	return p.stash[:p.n], p.err
}

func (p *pairSide) waitOnce(fd uintptr) bool {
	p.rbuf = p.stash[:]
	p.readOnce(fd)
	return !errors.Is(p.err, unix.EAGAIN)
}

// readMore reads what else is waiting into b without waiting: it returns
// 0 and nil when nothing is.
func (p *pairSide) readMore(b []byte) (int, error) {
	p.rbuf = b
	if err := p.rc.Read(p.readFn); err != nil {
		return 0, err
	}
	if errors.Is(p.err, unix.EAGAIN) {
		return p.n, nil
	}
	return p.n, p.err
}

func (p *pairSide) readOnce(fd uintptr) bool {
	for {
		n, err := unix.Read(int(fd), p.rbuf)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			p.n, p.err = 0, err
		case n == 0:
			p.n, p.err = 0, io.EOF
		default:
			p.n, p.err = n, nil
		}
		return true
	}
}

// write writes all of b, parking while the loop's end is full. An error
// (EPIPE) means the loop closed its end.
func (p *pairSide) write(b []byte) error {
	p.wbuf, p.werr = b, nil
	err := p.rc.Write(p.writeFn)
	p.wbuf = nil
	if err != nil {
		return err
	}
	return p.werr
}

func (p *pairSide) writeOnce(fd uintptr) bool {
	for len(p.wbuf) > 0 {
		n, err := unix.Write(int(fd), p.wbuf)
		if n > 0 {
			p.wbuf = p.wbuf[n:]
		}
		switch {
		case err == unix.EINTR:
		case err == unix.EAGAIN:
			return false
		case err != nil:
			p.werr = err
			return true
		}
	}
	return true
}

// waitGone parks until the loop has closed its end altogether (both
// directions shut), after it shut down only its writing side.
func (p *pairSide) waitGone() error { return p.rc.Read(p.hupFn) }

// hupOnce reports whether the loop's end is gone: the kernel marks an
// AF_UNIX stream socket POLLHUP when both directions are shut, which the
// peer's close does at once and a shutdown(SHUT_WR) does not.
func (p *pairSide) hupOnce(fd uintptr) bool {
	fds := [1]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		_, err := unix.Poll(fds[:], 0)
		if err == unix.EINTR {
			continue
		}
		return err != nil || fds[0].Revents&(unix.POLLHUP|unix.POLLERR|unix.POLLNVAL) != 0
	}
}

// gone reports at once whether the loop's end is closed altogether.
func (p *pairSide) gone() bool {
	g := false
	_ = p.rc.Control(func(fd uintptr) { g = p.hupOnce(fd) })
	return g
}

// shutdown shuts down one direction of the sidecar's end: SHUT_WR makes
// the loop read EOF after what was written; SHUT_RD wakes a wait with EOF.
func (p *pairSide) shutdown(how int) {
	_ = p.rc.Control(func(fd uintptr) { _ = unix.Shutdown(int(fd), how) })
}

// close closes the sidecar's end so that the loop's end reads EOF (after
// what the relay wrote to it) and its writes fail with EPIPE, whatever the
// loop wrote last. An AF_UNIX socket closed with unread bytes would make
// its peer read ECONNRESET instead, so whether the loop saw EOF or an
// error would depend on a race with its own writes: the sidecar's end is
// first shut for reading (the loop's writes fail from then on) and
// emptied. Goroutines parked on it return an error.
func (p *pairSide) close() {
	_ = p.rc.Control(func(fd uintptr) {
		_ = unix.Shutdown(int(fd), unix.SHUT_RD)
		var junk [512]byte
		for {
			n, err := unix.Read(int(fd), junk[:])
			if err == unix.EINTR {
				continue
			}
			if n <= 0 {
				break
			}
		}
	})
	_ = p.f.Close()
}
