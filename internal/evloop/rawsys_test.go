package evloop

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestRawCalls: the raw calls return what read(2), write(2) and
// epoll_pwait(2) return, with their errors as the plain Errno constants
// the handlers compare against (err == unix.EAGAIN), and nil on success.
func TestRawCalls(t *testing.T) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(epfd)
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, fds[0], &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fds[0])}); err != nil {
		t.Fatal(err)
	}
	events := make([]unix.EpollEvent, 4)
	buf := make([]byte, 16)

	if n, err := epollPoll(epfd, events); n != 0 || err != nil {
		t.Fatalf("epoll with nothing ready: %d, %v", n, err)
	}
	if n, err := Read(fds[0], buf); n != 0 || err != unix.EAGAIN {
		t.Fatalf("read with nothing to read: %d, %v; want 0, EAGAIN", n, err)
	}
	if n, err := Write(fds[1], []byte("ping")); n != 4 || err != nil {
		t.Fatalf("write: %d, %v", n, err)
	}
	if n, err := epollPoll(epfd, events); n != 1 || err != nil || int(events[0].Fd) != fds[0] {
		t.Fatalf("epoll with data ready: %d, %v, fd %d", n, err, events[0].Fd)
	}
	if n, err := Read(fds[0], buf); n != 4 || err != nil || string(buf[:n]) != "ping" {
		t.Fatalf("read: %d, %v, %q", n, err, buf[:n])
	}
	// A full socket: a short count or EAGAIN, never a negative count.
	big := make([]byte, 1<<20)
	var full error
	for i := 0; i < 64 && full == nil; i++ {
		n, err := Write(fds[1], big)
		if n < 0 {
			t.Fatalf("write returned %d", n)
		}
		full = err
	}
	if full != unix.EAGAIN {
		t.Fatalf("write to a full socket: %v, want EAGAIN", full)
	}
	if _, err := Read(-1, buf); err != unix.EBADF {
		t.Fatalf("read of a bad descriptor: %v, want EBADF", err)
	}
	if _, err := epollPoll(-1, events); err != unix.EBADF {
		t.Fatalf("epoll of a bad descriptor: %v, want EBADF", err)
	}
	var ts unix.Timespec
	if err := clockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil || ts.Nano() <= 0 {
		t.Fatalf("thread CPU clock: %v, %v", ts, err)
	}
	// The peer gone: what was buffered, then 0 and no error.
	unix.Close(fds[1])
	for i := 0; ; i++ {
		n, err := Read(fds[0], big)
		if err != nil || i > 1000 {
			t.Fatalf("draining a closed peer's data: %d, %v after %d reads", n, err, i)
		}
		if n == 0 {
			break
		}
	}
}
