package evloop

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// The loops make their non-blocking system calls (read, write, a zero
// timeout epoll_wait, the thread's CPU clock) without telling the Go
// runtime (RawSyscall, no entersyscall/exitsyscall). None of them can
// block, so the runtime has nothing to do about them, and telling it
// costs more than the call: entering a system call wakes the runtime's
// monitor thread (sysmon) whenever it sleeps because every processor was
// idle — which for a loop that parks between events is every wake-up —,
// and the woken monitor then polls every 20 µs for a millisecond or more.
// Profiled in a 100 000-client hold, that monitor used 20 % of each
// load-generator worker's CPU and 28 % of each server process's, with two
// context switches per poll, on cores the loops were waiting for.
// Calls that may block (the park itself) still go through the runtime.

// errno turns a raw call's error number into an error: nil for 0, and
// the plain Errno otherwise, which compares equal to unix.EAGAIN and the
// other constants.
func errno(e unix.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

// rawRead is read(2) on a non-blocking descriptor.
func rawRead(fd int, b []byte) (int, error) { return rawIO(unix.SYS_READ, fd, b) }

// rawWrite is write(2) on a non-blocking descriptor.
func rawWrite(fd int, b []byte) (int, error) { return rawIO(unix.SYS_WRITE, fd, b) }

// rawIO makes read(2) or write(2), trap, on fd with b.
func rawIO(trap uintptr, fd int, b []byte) (int, error) {
	var p unsafe.Pointer
	if len(b) > 0 {
		p = unsafe.Pointer(&b[0])
	}
	n, _, e := unix.RawSyscall(trap, uintptr(fd), uintptr(p), uintptr(len(b)))
	return int(n), errno(e)
}

// epollPoll is epoll_pwait(2) with a zero timeout: it returns at once.
func epollPoll(epfd int, events []unix.EpollEvent) (int, error) {
	n, _, e := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd),
		uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), 0, 0, 0)
	return int(n), errno(e)
}

// clockGettime is clock_gettime(2) for clocks the vDSO does not serve
// (a thread's CPU clock).
func clockGettime(clock int, ts *unix.Timespec) error {
	_, _, e := unix.RawSyscall(unix.SYS_CLOCK_GETTIME, uintptr(clock), uintptr(unsafe.Pointer(ts)), 0)
	return errno(e)
}

// timerfdSettime is timerfd_settime(2), relative, without the old value.
func timerfdSettime(fd int, its *unix.ItimerSpec) error {
	_, _, e := unix.RawSyscall6(unix.SYS_TIMERFD_SETTIME, uintptr(fd), 0, uintptr(unsafe.Pointer(its)), 0, 0, 0)
	return errno(e)
}
