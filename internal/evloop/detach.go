package evloop

import (
	"errors"
	"fmt"
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// Detach takes a connected socket away from Go's network poller so that an
// event loop can own it: it duplicates the descriptor (F_DUPFD_CLOEXEC
// inside SyscallConn().Control) and closes the net.Conn. Closing the
// original sends no FIN because the duplicate keeps the socket open, and
// the socket stays non-blocking. os.File.Fd is avoided on purpose: it
// switches the socket to blocking mode.
func Detach(c net.Conn) (int, error) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		c.Close()
		return -1, fmt.Errorf("detach: %T has no raw descriptor", c)
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		c.Close()
		return -1, fmt.Errorf("detach: %w", err)
	}
	fd := -1
	var dupErr error
	if err := raw.Control(func(s uintptr) {
		fd, dupErr = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0)
	}); err != nil {
		c.Close()
		return -1, fmt.Errorf("detach: %w", err)
	}
	c.Close()
	if dupErr != nil {
		return -1, fmt.Errorf("detach: dup: %w", dupErr)
	}
	return fd, nil
}

// Abort closes fd with SO_LINGER 0, so the kernel sends an RST instead of a
// FIN and skips TIME_WAIT: what a crashed or killed peer looks like.
func Abort(fd int) error {
	_ = unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
	return unix.Close(fd)
}

// Write writes b to the non-blocking fd, retrying on EINTR, without
// entering the runtime's system-call path (see rawsys.go). It returns the
// bytes written; a short count with unix.EAGAIN means the socket buffer is
// full.
func Write(fd int, b []byte) (int, error) {
	for {
		n, err := rawWrite(fd, b)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if n < 0 {
			n = 0
		}
		return n, err
	}
}

// Read reads into b from the non-blocking fd, retrying on EINTR, without
// entering the runtime's system-call path (see rawsys.go).
func Read(fd int, b []byte) (int, error) {
	for {
		n, err := rawRead(fd, b)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if n < 0 {
			n = 0
		}
		return n, err
	}
}
