package main

import (
	"encoding/binary"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// childEnv marks the process as connlimit's accepting child.
const childEnv = "CONNLIMIT_CHILD"

// childMode is the value of childEnv for the raw TCP acceptor.
const childMode = "accept"

// acceptors is how many goroutines of the child block in accept4(2).
const acceptors = 2

// runAcceptor is the child's side of a raw TCP round. It accepts on the
// listening socket inherited as fd 3 and holds every connection. The parent
// writes the number of connections it opened (8 bytes, big endian) to
// stdin once it is done; when that many are accepted the child writes the
// Unix time of the last accept (8 bytes) to stdout. It exits when stdin
// closes, which closes every connection.
func runAcceptor() int {
	const lfd = 3
	var (
		mu       sync.Mutex
		held     []int
		accepted atomic.Int64
		last     atomic.Int64
		target   atomic.Int64
		once     sync.Once
	)
	target.Store(-1)
	report := func() {
		t := target.Load()
		if t < 0 || accepted.Load() < t {
			return
		}
		once.Do(func() {
			var b [8]byte
			binary.BigEndian.PutUint64(b[:], uint64(last.Load()))
			_, _ = os.Stdout.Write(b[:])
		})
	}
	for range acceptors {
		go func() {
			for {
				fd, _, err := unix.Accept4(lfd, unix.SOCK_CLOEXEC)
				if err == unix.EINTR || err == unix.ECONNABORTED {
					continue
				}
				if err != nil {
					return // EMFILE or the listener closed: the parent sees the count fall short
				}
				last.Store(time.Now().UnixNano())
				mu.Lock()
				held = append(held, fd)
				mu.Unlock()
				accepted.Add(1)
				report()
			}
		}()
	}
	var b [8]byte
	if _, err := io.ReadFull(os.Stdin, b[:]); err != nil {
		return 0
	}
	target.Store(int64(binary.BigEndian.Uint64(b[:])))
	report()
	_, _ = io.Copy(io.Discard, os.Stdin) // until the parent closes it
	return 0
}
