package main

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"

	"github.com/stormbench/stormbench/internal/evloop"
)

// evEngine runs the clients on stormbench's own engine, as its load
// generator does: an epoll loop per core with a timing wheel, every
// client's timers nodes of its loop's wheel, a non-blocking connect() on
// the loop, one read buffer per loop.
type evEngine struct {
	f      *fleet
	shards []*evShard
}

type evShard struct {
	e    *evEngine
	loop *evloop.Loop
	// sa is the server, this loop's own copy: unix.Connect writes into it.
	sa      unix.SockaddrInet4
	clients []evClient
	req     []byte // scratch for upgrade requests
}

// Timer kinds of an evloop client: timer is the attempt, then each ping;
// hb the connect deadline, then the heartbeat deadline.
const (
	evAttempt uint8 = iota
	evPing
	evConnectDeadline
	evHeartbeatDeadline
)

type evClient struct {
	core
	sh      *evShard
	fd      int32
	tcpDone bool
	timer   evloop.Timer
	hb      evloop.Timer
}

func (e *evEngine) start(f *fleet) error {
	e.f = f
	ap, err := netip.ParseAddrPort(f.cfg.Addr)
	if err != nil || !ap.Addr().Is4() {
		return fmt.Errorf("evloop: server address %q: want an IPv4 host:port", f.cfg.Addr)
	}
	for range f.cfg.Loops {
		l, err := evloop.New(f.now, evloop.Options{})
		if err != nil {
			return err
		}
		go func() { _ = l.Run() }()
		sa := unix.SockaddrInet4{Addr: ap.Addr().As4(), Port: int(ap.Port())}
		e.shards = append(e.shards, &evShard{e: e, loop: l, sa: sa})
	}
	return nil
}

func (e *evEngine) launch(ids []uint64) error {
	per := make([]int, len(e.shards))
	for i := range ids {
		per[i%len(e.shards)]++
	}
	for i, sh := range e.shards {
		sh.clients = make([]evClient, per[i])
	}
	for i, id := range ids {
		sh := e.shards[i%len(e.shards)]
		c := &sh.clients[i/len(e.shards)]
		c.init(e.f, id)
		c.sh = sh
		c.fd = -1
		c.timer.Init(c, evAttempt)
		c.hb.Init(c, evConnectDeadline)
	}
	for _, sh := range e.shards {
		done := make(chan struct{})
		if !sh.loop.Submit(func() {
			for i := range sh.clients {
				c := &sh.clients[i]
				sh.loop.Schedule(&c.timer, c.sched)
			}
			close(done)
		}) {
			return errors.New("evloop: loop stopped")
		}
		<-done
	}
	return nil
}

// OnTimer implements evloop.TimerHandler.
func (c *evClient) OnTimer(t *evloop.Timer, now, _ time.Duration) {
	loop := c.sh.loop
	switch t.Kind {
	case evAttempt:
		c.attempt(now)
		c.connect(now)
	case evPing:
		if c.state.Load() != stOpen {
			return
		}
		frame := c.pingDue(now)
		if n, err := evloop.Write(int(c.fd), frame); n != len(frame) {
			_ = err
			c.close()
			return
		}
		loop.Schedule(&c.timer, c.sched)
	case evConnectDeadline:
		c.close()
	case evHeartbeatDeadline:
		if c.state.Load() != stOpen {
			return
		}
		if c.deadlineDue(now) {
			c.close()
			return
		}
		loop.Schedule(&c.hb, c.hbAt)
	}
}

// connect starts the attempt: a non-blocking socket, connect(), and the
// socket on the loop, which reports when the TCP handshake ends.
func (c *evClient) connect(now time.Duration) {
	sh := c.sh
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		c.gone()
		return
	}
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	if err := unix.Connect(fd, &sh.sa); err != nil && err != unix.EINPROGRESS && err != unix.EINTR {
		unix.Close(fd)
		c.gone()
		return
	}
	if err := sh.loop.Add(fd, unix.EPOLLOUT|unix.EPOLLIN|unix.EPOLLRDHUP, c); err != nil {
		unix.Close(fd)
		c.gone()
		return
	}
	c.fd = int32(fd)
	c.tcpDone = false
	c.hb.Kind = evConnectDeadline
	sh.loop.Schedule(&c.hb, c.hbAt)
}

// OnEvent implements evloop.Handler.
func (c *evClient) OnEvent(events uint32) {
	sh := c.sh
	now := sh.loop.Now()
	fd := int(c.fd)
	st := c.state.Load()
	if st == stConnecting && !c.tcpDone {
		if events&(unix.EPOLLOUT|unix.EPOLLERR|unix.EPOLLHUP) == 0 {
			return
		}
		if errno, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR); err != nil || errno != 0 {
			c.close()
			return
		}
		c.tcpDone = true
		sh.req = c.request(sh.req[:0])
		if n, _ := evloop.Write(fd, sh.req); n != len(sh.req) {
			c.close()
			return
		}
		_ = sh.loop.Modify(fd, unix.EPOLLIN|unix.EPOLLRDHUP)
		return
	}
	n, err := evloop.Read(fd, sh.loop.Buf)
	if n <= 0 {
		if err != unix.EAGAIN {
			c.close()
		}
		return
	}
	data := sh.loop.Buf[:n]
	if st == stConnecting {
		rest, r := c.response(data)
		switch r {
		case respMore:
			return
		case respFail:
			c.close()
			return
		}
		sh.loop.Cancel(&c.hb)
		c.opened(now)
		c.timer.Kind = evPing
		sh.loop.Schedule(&c.timer, c.sched)
		c.hb.Kind = evHeartbeatDeadline
		sh.loop.Schedule(&c.hb, c.hbAt)
		data = rest
	}
	if !c.frames(data, now) {
		c.close()
	}
}

// close ends the client: its socket and timers.
func (c *evClient) close() {
	c.gone()
	sh := c.sh
	if c.fd >= 0 {
		_ = sh.loop.CloseFD(int(c.fd), false)
		c.fd = -1
	}
	sh.loop.Cancel(&c.timer)
	sh.loop.Cancel(&c.hb)
}
