package loadgen

import "golang.org/x/sys/unix"

// SocketBuffer is the SO_RCVBUF and SO_SNDBUF every client socket gets
// before it connects. The kernel's defaults let one socket queue up to
// tcp_rmem's max (32 MiB here) when its reader lags; with a fleet of a
// hundred thousand sockets and a server that sends large messages, the
// kernel's TCP memory would then run out long before the harness's own.
// A fixed buffer bounds that worst case per socket (the kernel doubles the
// value for its bookkeeping). It does not lower the common case: measured
// here, a socket holds one page as soon as one small message waits on it,
// whatever its buffer size (see internal/kernel).
const SocketBuffer = 64 << 10

// setSocketBuffers applies SocketBuffer to fd; errors are ignored, the
// kernel's defaults then stand.
func setSocketBuffers(fd int) {
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, SocketBuffer)
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, SocketBuffer)
}
