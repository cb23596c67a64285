package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// tcpResult is the outcome of one raw TCP round.
type tcpResult struct {
	// N is the number of connections asked for, Workers the goroutines
	// that called connect(2).
	N, Workers int
	// Connected counts connect(2) calls that succeeded.
	Connected int64
	// Fail counts the others by cause.
	Fail failCounts
	// ConnectDur runs from the first connect(2) to the return of the last.
	ConnectDur time.Duration
	// AcceptDur runs from the first connect(2) to the child's last accept.
	AcceptDur time.Duration
	// ClientCPU and ChildCPU are the CPU time (user + system) of the
	// connecting process during the round and of the accepting child.
	ClientCPU, ChildCPU time.Duration
}

// Rate is the connections per second, counted until the last accept.
func (r tcpResult) Rate() float64 {
	if r.AcceptDur <= 0 {
		return 0
	}
	return float64(r.Connected) / r.AcceptDur.Seconds()
}

// listenLoopback opens a blocking listening socket on 127.0.0.1 and an
// ephemeral port.
func listenLoopback() (fd int, port int, err error) {
	fd, err = unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, 0, fmt.Errorf("socket: %w", err)
	}
	fail := func(what string, err error) (int, int, error) {
		unix.Close(fd)
		return -1, 0, fmt.Errorf("%s: %w", what, err)
	}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return fail("bind", err)
	}
	// The kernel caps the backlog at net.core.somaxconn.
	if err := unix.Listen(fd, 65535); err != nil {
		return fail("listen", err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return fail("getsockname", err)
	}
	return fd, sa.(*unix.SockaddrInet4).Port, nil
}

// startAcceptor starts the accepting child on the listening socket ln
// (its fd 3).
func startAcceptor(ln *os.File) (*exec.Cmd, io.WriteCloser, io.ReadCloser, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, nil, nil, err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), childEnv+"="+childMode)
	cmd.ExtraFiles = []*os.File{ln}
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, nil, nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, nil, fmt.Errorf("start the accepting child: %w", err)
	}
	return cmd, in, out, nil
}

// tcpRound opens n raw TCP connections to a child that accepts them, with
// workers goroutines calling blocking connect(2), each bounded by timeout;
// the round ends when the child has accepted them all, or at ctx's end.
func tcpRound(ctx context.Context, n, workers int, timeout time.Duration) (r tcpResult, err error) {
	r = tcpResult{N: n, Workers: workers}
	lfd, port, err := listenLoopback()
	if err != nil {
		return r, err
	}
	// Closed through its *os.File, not by number: the File's finalizer
	// would otherwise close whatever socket reuses the number later.
	ln := os.NewFile(uintptr(lfd), "listener")
	cmd, in, out, err := startAcceptor(ln)
	ln.Close() // the child holds it now
	if err != nil {
		return r, err
	}
	defer func() {
		in.Close()
		_ = cmd.Wait()
		if u, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.ChildCPU = rusageCPU(u)
		}
	}()

	fds := make([]int, n)
	for i := range fds {
		fds[i] = -1
	}
	defer func() {
		for _, fd := range fds {
			if fd >= 0 {
				unix.Close(fd)
			}
		}
	}()
	var (
		mu   sync.Mutex
		fail failCounts
		wg   sync.WaitGroup
	)
	cpu0 := selfCPU()
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			var local failCounts
			for i := w; i < n && ctx.Err() == nil; i += workers {
				fd, err := connectFrom(sourceFor(i).As4(), port, timeout)
				if err != nil {
					local[classify(err)]++
					continue
				}
				fds[i] = fd
			}
			mu.Lock()
			for c, v := range local {
				fail[c] += v
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	r.ConnectDur = time.Since(start)
	r.ClientCPU = selfCPU() - cpu0
	r.Fail = fail
	for _, fd := range fds {
		if fd >= 0 {
			r.Connected++
		}
	}
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(r.Connected))
	if _, err := in.Write(b[:]); err != nil {
		return r, fmt.Errorf("tell the child: %w", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := io.ReadFull(out, b[:])
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			return r, fmt.Errorf("the accepting child: %w", err)
		}
	case <-ctx.Done():
		return r, errors.New("the child did not accept every connection in time")
	}
	r.AcceptDur = time.Unix(0, int64(binary.BigEndian.Uint64(b[:]))).Sub(start)
	return r, nil
}

// connectFrom opens one TCP connection from src to 127.0.0.1:port:
// non-blocking connect(2), poll(2) for writability bounded by timeout, then
// SO_ERROR — a blocking connect with SO_SNDTIMEO could not be resumed after
// the Go runtime's preemption signals interrupt it.
func connectFrom(src [4]byte, port int, timeout time.Duration) (int, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	if err := dialFD(fd, src, port, timeout); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

func dialFD(fd int, src [4]byte, port int, timeout time.Duration) error {
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_BIND_ADDRESS_NO_PORT, 1); err != nil {
		return err
	}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: src}); err != nil {
		return err
	}
	err := unix.Connect(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: port})
	if err == nil {
		return nil
	}
	if err != unix.EINPROGRESS {
		return err
	}
	deadline := time.Now().Add(timeout)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return unix.ETIMEDOUT
		}
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
		n, err := unix.Poll(pfd, int(left.Milliseconds())+1)
		if err == unix.EINTR || err == nil && n == 0 {
			continue
		}
		if err != nil {
			return err
		}
		break
	}
	soerr, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		return err
	}
	if soerr != 0 {
		return unix.Errno(soerr)
	}
	return nil
}

// selfCPU returns this process's CPU time so far (user + system).
func selfCPU() time.Duration {
	var u unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// rusageCPU returns the CPU time (user + system) in a rusage.
func rusageCPU(u *syscall.Rusage) time.Duration {
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
