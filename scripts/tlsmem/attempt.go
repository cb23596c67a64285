package main

import (
	"errors"
	"time"

	"github.com/stormbench/stormbench/internal/evloop"
	"github.com/stormbench/stormbench/internal/handshake"
	"github.com/stormbench/stormbench/internal/protocol"
	"github.com/stormbench/stormbench/internal/tlsrelay"
	"golang.org/x/sys/unix"
)

// Stages of a client connection.
const (
	stageConnect uint8 = iota // plain: connect() in progress
	stageUpgrade              // request written, response awaited
	stageOpen                 // upgraded, held idle
)

// clientConn is one connection on the client's loop.
type clientConn struct {
	cl     *client
	fd     int
	r      *tlsrelay.Relay
	stage  uint8
	start  time.Duration
	accept handshake.Accept
	head   []byte
}

// start begins the run's next attempt (on the loop).
func (cl *client) start() {
	rn := cl.run
	rn.started++
	c := &clientConn{cl: cl, fd: -1, start: cl.clock()}
	src := cl.srcs[rn.started%len(cl.srcs)]
	dst := cl.addrs[rn.mode]
	if rn.mode == modePlain {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			c.fail("socket")
			return
		}
		c.fd = fd
		_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, tlsrelay.SocketBuffer)
		_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, tlsrelay.SocketBuffer)
		_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
		_ = unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_BIND_ADDRESS_NO_PORT, 1)
		if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: src.As4()}); err != nil {
			c.fail("bind")
			return
		}
		err = unix.Connect(fd, &unix.SockaddrInet4{Addr: dst.Addr().As4(), Port: int(dst.Port())})
		if err != nil && err != unix.EINPROGRESS {
			c.fail("connect")
			return
		}
		c.stage = stageConnect
		if err := cl.loop.Add(fd, unix.EPOLLOUT|unix.EPOLLIN|unix.EPOLLRDHUP, c); err != nil {
			c.fail("epoll")
		}
		return
	}
	fd, r, err := tlsrelay.Dial(cl.cfg[rn.mode], dst, src, nil)
	if err != nil {
		c.fail(tlsrelay.CauseOf(err).String())
		return
	}
	c.fd, c.r = fd, r
	if err := cl.loop.Add(fd, unix.EPOLLIN|unix.EPOLLRDHUP, c); err != nil {
		c.fail("epoll")
		return
	}
	// Written at once: it waits in the socketpair for the handshake.
	c.request()
}

// request writes the upgrade request.
func (c *clientConn) request() {
	cl := c.cl
	cl.keys++
	k := handshake.KeyFromBits(cl.keys, cl.keys*0x9e3779b97f4a7c15)
	c.accept = k.Accept()
	cl.req = cl.tmpl[cl.run.mode].AppendRequest(cl.req[:0], protocol.Query{}, &k)
	if n, err := evloop.Write(c.fd, cl.req); n != len(cl.req) {
		_ = err
		c.fail("write")
		return
	}
	c.stage = stageUpgrade
	_ = cl.loop.Modify(c.fd, unix.EPOLLIN|unix.EPOLLRDHUP)
}

func (c *clientConn) OnEvent(events uint32) {
	cl := c.cl
	switch c.stage {
	case stageConnect:
		errno, err := unix.GetsockoptInt(c.fd, unix.SOL_SOCKET, unix.SO_ERROR)
		if err != nil || errno != 0 {
			c.fail(unix.Errno(errno).Error())
			return
		}
		c.request()
	case stageUpgrade:
		n, err := evloop.Read(c.fd, cl.loop.Buf)
		if n > 0 {
			c.head = append(c.head, cl.loop.Buf[:n]...)
			exp := handshake.Expect{Accept: c.accept}
			_, used, perr := handshake.Parse(c.head, &exp)
			switch {
			case perr != nil:
				c.fail("upgrade")
			case used > 0:
				c.upgraded()
			}
			return
		}
		if errors.Is(err, unix.EAGAIN) {
			return
		}
		cause := "eof"
		if c.r != nil {
			// The loop's end says EOF whatever happened: the relay knows.
			cause = c.r.Cause().String()
		}
		c.fail(cause)
	case stageOpen:
		n, err := evloop.Read(c.fd, cl.loop.Buf)
		if n > 0 || errors.Is(err, unix.EAGAIN) {
			return
		}
		// The server closed an idle connection: drop it.
		_ = cl.loop.CloseFD(c.fd, false)
		for i, h := range cl.held {
			if h == c {
				cl.held = append(cl.held[:i], cl.held[i+1:]...)
				break
			}
		}
	}
}

// upgraded records a successful attempt: its latency, split into TCP,
// TLS and upgrade for TLS (Relay.Times, set before the response could
// arrive) or TCP+upgrade for plain.
func (c *clientConn) upgraded() {
	cl := c.cl
	rn := cl.run
	now := cl.clock()
	rn.total = append(rn.total, now-c.start)
	if c.r != nil {
		tcpAt, tlsAt := c.r.Times()
		rn.tcp = append(rn.tcp, tcpAt-c.start)
		rn.tlsT = append(rn.tlsT, tlsAt-tcpAt)
		rn.upg = append(rn.upg, now-tlsAt)
		if c.r.ConnectionState().DidResume {
			rn.resumed++
		}
	}
	c.head = nil
	if rn.hold {
		c.stage = stageOpen
		cl.held = append(cl.held, c)
	} else {
		// Closing the loop's end is a clean close (close_notify, FIN).
		_ = cl.loop.CloseFD(c.fd, false)
	}
	c.next()
}

// fail records a failed attempt by cause.
func (c *clientConn) fail(cause string) {
	cl := c.cl
	if c.r != nil {
		c.r.Abort()
	}
	if c.fd >= 0 {
		_ = cl.loop.CloseFD(c.fd, true)
	}
	cl.run.fails[cause]++
	c.next()
}

// next ends an attempt and starts another while the run has some left.
func (c *clientConn) next() {
	cl := c.cl
	rn := cl.run
	rn.ended++
	if rn.started < rn.n {
		cl.start()
	}
	if rn.ended == rn.n {
		rn.elapsed = cl.clock() - rn.begin
		close(rn.done)
	}
}
