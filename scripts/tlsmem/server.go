package main

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"sync/atomic"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/evloop"
	"github.com/stormbench/stormbench/internal/tlsrelay"
	"golang.org/x/sys/unix"
)

// server is the server child: a TLS and a plain WebSocket listener whose
// connections end on one event loop, as in the server-under-test: the
// accepting goroutine runs the TLS handshake (tlsrelay.Accept) and the
// gobwas upgrade, then the loop owns the socketpair's end (TLS) or the
// detached socket (plain). Connections stay idle until the client closes.
type server struct {
	loop *evloop.Loop
	tls  *tls.Config
	open atomic.Int64
	errs atomic.Int64
}

func runServer(certFile, keyFile string) error {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return err
	}
	begin := time.Now()
	l, err := evloop.New(func() time.Duration { return time.Since(begin) }, evloop.Options{})
	if err != nil {
		return err
	}
	go l.Run()
	s := &server{loop: l, tls: &tls.Config{Certificates: []tls.Certificate{cert}}}
	lt, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	lp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go s.accept(lt, true)
	go s.accept(lp, false)
	out := bufio.NewWriter(os.Stdout)
	fmt.Fprintln(out, "ready", lt.Addr(), lp.Addr())
	out.Flush()
	return serveCommands(out, func(cmd string, args []string) (string, error) {
		if cmd == "stats" {
			return stats(s.open.Load()) + fmt.Sprintf(" errors=%d", s.errs.Load()), nil
		}
		return "", fmt.Errorf("unknown command %q", cmd)
	})
}

func (s *server) accept(ln net.Listener, useTLS bool) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go s.handshake(c, useTLS)
	}
}

func (s *server) handshake(c net.Conn, useTLS bool) {
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	var (
		fd  int
		r   *tlsrelay.Relay
		err error
	)
	if useTLS {
		var sc *tlsrelay.ServerConn
		if sc, err = tlsrelay.Accept(c, s.tls, 0); err == nil {
			if _, err = ws.Upgrade(sc.Conn()); err == nil {
				fd, r, err = sc.Attach(nil)
			} else {
				sc.Close()
			}
		}
	} else if _, err = ws.Upgrade(c); err == nil {
		_ = c.SetDeadline(time.Time{})
		fd, err = evloop.Detach(c)
	} else {
		c.Close()
	}
	if err != nil {
		s.errs.Add(1)
		return
	}
	h := &serverConn{s: s, fd: fd, r: r}
	s.loop.Submit(func() {
		if err := s.loop.Add(fd, unix.EPOLLIN|unix.EPOLLRDHUP, h); err != nil {
			unix.Close(fd)
			return
		}
		s.open.Add(1)
	})
}

// serverConn is one connection on the server's loop: it reads and drops
// what arrives and closes when the client does.
type serverConn struct {
	s  *server
	fd int
	r  *tlsrelay.Relay
}

func (c *serverConn) OnEvent(uint32) {
	n, err := evloop.Read(c.fd, c.s.loop.Buf)
	if n > 0 || errors.Is(err, unix.EAGAIN) {
		return
	}
	_ = c.s.loop.CloseFD(c.fd, false)
	c.s.open.Add(-1)
}
