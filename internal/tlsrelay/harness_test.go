package tlsrelay

import (
	"bytes"
	"crypto/tls"
	"errors"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/evloop"
	"golang.org/x/sys/unix"
)

// waitLimit bounds every wait of these tests: a hang fails, it does not
// stall the suite. No test asserts how long anything took.
const waitLimit = 10 * time.Second

// pki is a throwaway CA-and-server certificate for 127.0.0.1.
type pki struct {
	server *tls.Config
	client *tls.Config
}

var (
	pkiOnce sync.Once
	pkiVal  pki
	pkiErr  error
)

func testPKI(t testing.TB) pki {
	t.Helper()
	pkiOnce.Do(func() {
		cert, pool, err := SelfSigned([]string{"127.0.0.1", "localhost"})
		if err != nil {
			pkiErr = err
			return
		}
		pkiVal = pki{
			server: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
			client: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"},
		}
	})
	if pkiErr != nil {
		t.Fatal(pkiErr)
	}
	return pkiVal
}

// echoServer accepts TLS connections, hands each to a sidecar and owns
// the loop's ends on a real event loop that echoes what it reads. A
// message starting with "!close" makes it shut down its writing side
// (a server's going-away close), "!abort" makes it abort (RST).
type echoServer struct {
	ln     net.Listener
	loop   *evloop.Loop
	relays chan *Relay
	ends   chan serverEnd
	accErr chan error
	wg     sync.WaitGroup
}

// serverEnd is what the server's loop saw when a connection ended.
type serverEnd struct {
	eof   bool  // read returned 0
	err   error // or this error
	cause Cause // the relay's cause at that moment
}

func startEcho(t testing.TB, cfg *tls.Config) *echoServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	l, err := evloop.New(func() time.Duration { return time.Since(begin) }, evloop.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := &echoServer{ln: ln, loop: l, relays: make(chan *Relay, 1024), ends: make(chan serverEnd, 1024), accErr: make(chan error, 1024)}
	go l.Run()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				sc, err := Accept(c, cfg, waitLimit)
				if err != nil {
					s.accErr <- err
					return
				}
				fd, r, err := sc.Attach(nil)
				if err != nil {
					s.accErr <- err
					return
				}
				s.relays <- r
				h := &echoConn{s: s, fd: fd, r: r}
				l.Submit(func() {
					if err := l.Add(fd, unix.EPOLLIN|unix.EPOLLRDHUP, h); err != nil {
						unix.Close(fd)
					}
				})
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
		l.Stop()
		<-l.Done()
		l.Close()
	})
	return s
}

func (s *echoServer) addr() netip.AddrPort {
	return s.ln.Addr().(*net.TCPAddr).AddrPort()
}

// relay returns the next connection's server-side relay.
func (s *echoServer) relay(t testing.TB) *Relay {
	t.Helper()
	select {
	case r := <-s.relays:
		return r
	case err := <-s.accErr:
		t.Fatalf("server: %v", err)
	case <-time.After(waitLimit):
		t.Fatal("server: no connection")
	}
	return nil
}

// end returns how the next connection ended, as the server's loop saw it.
func (s *echoServer) end(t testing.TB) serverEnd {
	t.Helper()
	select {
	case e := <-s.ends:
		return e
	case <-time.After(waitLimit):
		t.Fatal("server: connection did not end")
	}
	return serverEnd{}
}

// echoConn is one loop end on the server's loop.
type echoConn struct {
	s       *echoServer
	fd      int
	r       *Relay
	out     []byte
	closing bool
}

func (e *echoConn) OnEvent(events uint32) {
	l := e.s.loop
	if events&unix.EPOLLOUT != 0 && len(e.out) > 0 {
		n, err := evloop.Write(e.fd, e.out)
		e.out = e.out[n:]
		if err != nil && err != unix.EAGAIN {
			e.finish(serverEnd{err: err, cause: e.r.Cause()})
			return
		}
		if len(e.out) == 0 {
			_ = l.Modify(e.fd, unix.EPOLLIN|unix.EPOLLRDHUP)
		}
	}
	if len(e.out) > 0 {
		// Backpressure: read no more until the echo went out.
		return
	}
	n, err := evloop.Read(e.fd, l.Buf)
	switch {
	case n > 0:
		data := l.Buf[:n]
		if bytes.HasPrefix(data, []byte("!abort")) {
			e.r.Abort()
			e.finish(serverEnd{cause: e.r.Cause()})
			return
		}
		if e.closing {
			return
		}
		if bytes.HasPrefix(data, []byte("!close")) {
			_, _ = evloop.Write(e.fd, data)
			_ = unix.Shutdown(e.fd, unix.SHUT_WR)
			e.closing = true
			return
		}
		w, err := evloop.Write(e.fd, data)
		if err != nil && err != unix.EAGAIN {
			e.finish(serverEnd{err: err, cause: e.r.Cause()})
			return
		}
		if w < n {
			e.out = append([]byte(nil), data[w:]...)
			_ = l.Modify(e.fd, unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLOUT)
		}
	case err == nil:
		e.finish(serverEnd{eof: true, cause: e.r.Cause()})
	case errors.Is(err, unix.EAGAIN):
	default:
		e.finish(serverEnd{err: err, cause: e.r.Cause()})
	}
}

func (e *echoConn) finish(end serverEnd) {
	_ = e.s.loop.CloseFD(e.fd, false)
	e.s.ends <- end
}

// events collects a client relay's events.
type events struct {
	ch chan Event
}

func newEvents() *events { return &events{ch: make(chan Event, 16)} }

func (ev *events) report(e Event) { ev.ch <- e }

// next returns the next event of kind k, failing on another terminal one.
func (ev *events) next(t testing.TB, k EventKind) Event {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		select {
		case e := <-ev.ch:
			if e.Kind == k {
				return e
			}
			if e.Kind == EventFailed || e.Kind == EventClosed {
				t.Fatalf("waiting for %v, got %v (%v: %v)", k, e.Kind, e.Cause, e.Err)
			}
		case <-deadline:
			t.Fatalf("no %v event", k)
		}
	}
}

func clientConfig(t testing.TB) *ClientConfig {
	return &ClientConfig{TLS: testPKI(t).client.Clone(), ConnectTimeout: waitLimit}
}

// dial starts a client relay and registers cleanup of its loop end.
func dial(t testing.TB, cfg *ClientConfig, to netip.AddrPort) (int, *Relay, *events) {
	t.Helper()
	ev := newEvents()
	fd, r, err := Dial(cfg, to, netip.Addr{}, ev.report)
	if err != nil {
		t.Fatal(err)
	}
	return fd, r, ev
}

// pollFD waits up to limit for fd to be ready for events.
func pollFD(t testing.TB, fd int, events int16, limit time.Duration) bool {
	t.Helper()
	fds := []unix.PollFd{{Fd: int32(fd), Events: events}}
	for {
		n, err := unix.Poll(fds, int(limit/time.Millisecond))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		return n > 0
	}
}

// writeAll writes b to the non-blocking fd, waiting while it is full.
func writeAll(t testing.TB, fd int, b []byte) {
	t.Helper()
	for len(b) > 0 {
		n, err := evloop.Write(fd, b)
		b = b[n:]
		if err == unix.EAGAIN {
			if !pollFD(t, fd, unix.POLLOUT, waitLimit) {
				t.Error("write: not writable in time")
				return
			}
			continue
		}
		if err != nil {
			t.Errorf("write: %v", err)
			return
		}
	}
}

// readFull reads len(b) bytes from the non-blocking fd.
func readFull(t testing.TB, fd int, b []byte) {
	t.Helper()
	for got := 0; got < len(b); {
		n, err := evloop.Read(fd, b[got:])
		got += n
		switch {
		case err == unix.EAGAIN:
			if !pollFD(t, fd, unix.POLLIN, waitLimit) {
				t.Fatalf("read: %d of %d bytes in time", got, len(b))
			}
		case err != nil:
			t.Fatalf("read: %v after %d of %d bytes", err, got, len(b))
		case n == 0:
			t.Fatalf("read: EOF after %d of %d bytes", got, len(b))
		}
	}
}

// readEnd reads until EOF or an error and returns what it read and the
// error (nil for EOF).
func readEnd(t testing.TB, fd int) ([]byte, error) {
	t.Helper()
	var out []byte
	buf := make([]byte, 4096)
	for {
		n, err := evloop.Read(fd, buf)
		out = append(out, buf[:n]...)
		switch {
		case err == unix.EAGAIN:
			if !pollFD(t, fd, unix.POLLIN, waitLimit) {
				t.Fatalf("no EOF in time (read %d bytes)", len(out))
			}
		case err != nil:
			return out, err
		case n == 0:
			return out, nil
		}
	}
}

// waitDone waits for a relay's goroutines to be gone.
func waitDone(t testing.TB, r *Relay) {
	t.Helper()
	select {
	case <-r.Done():
	case <-time.After(waitLimit):
		t.Fatalf("relay not done (cause %v)", r.Cause())
	}
}
