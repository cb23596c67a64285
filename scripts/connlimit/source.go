package main

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"syscall"

	"golang.org/x/sys/unix"
)

// perSource is how many connections share one source address, as in
// stormbench: the kernel's search for a free port in connect(2) slows
// down long before one address's ports run out.
const perSource = 4096

// sourceFor returns the source address of connection i: 127.0.0.2 for the
// first perSource connections, 127.0.0.3 for the next, and so on.
func sourceFor(i int) netip.Addr {
	n := 2 + i/perSource
	return netip.AddrFrom4([4]byte{127, byte(n >> 16), byte(n >> 8), byte(n)})
}

// noPortControl sets IP_BIND_ADDRESS_NO_PORT: without it the kernel picks
// the port when Go binds the source address, unaware of the destination,
// and one source address gets one port range in total instead of one per
// destination.
func noPortControl(_, _ string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_BIND_ADDRESS_NO_PORT, 1)
	})
	return errors.Join(err, serr)
}

// netDialFor returns a dial function for gobwas/ws's Dialer.NetDial that
// connects from connection i's source address.
func netDialFor(i int) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := net.Dialer{
		LocalAddr: &net.TCPAddr{IP: sourceFor(i).AsSlice()},
		Control:   noPortControl,
	}
	return d.DialContext
}
