package looptls

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/evloop"
	"github.com/stormbench/stormbench/internal/tlsfiles"
	"golang.org/x/sys/unix"
)

// testCerts is a throwaway server certificate and a pool trusting it.
type testCerts struct {
	cert tls.Certificate
	pool *x509.CertPool
}

var certsOnce = sync.OnceValues(func() (testCerts, error) {
	c, p, err := tlsfiles.SelfSigned([]string{"127.0.0.1"})
	return testCerts{c, p}, err
})

func certs(tb testing.TB) testCerts {
	tb.Helper()
	c, err := certsOnce()
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func serverConfig(tb testing.TB) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{certs(tb).cert}, NextProtos: []string{"http/1.1"}}
}

func clientConfig(tb testing.TB) *tls.Config {
	return &tls.Config{RootCAs: certs(tb).pool, ServerName: "127.0.0.1", NextProtos: []string{"http/1.1"}}
}

// loopPair is a TLS connection over loopback whose two ends are in loop
// mode, handshakes done over net.Conns (Client, Server) and detached: the
// test drives Fill, Read and Seal by hand.
type loopPair struct {
	cli, srv     *Conn
	cfd, sfd     int
	scratch, out []byte
	plain        []byte
}

func newLoopPair(tb testing.TB, ccfg, scfg *tls.Config) *loopPair {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	type res struct {
		c   *Conn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			ch <- res{nil, err}
			return
		}
		c, err := Server(nc, scfg)
		if err != nil {
			nc.Close()
		}
		ch <- res{c, err}
	}()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}
	cli, err := Client(nc, ccfg)
	if err != nil {
		tb.Fatal(err)
	}
	r := <-ch
	if r.err != nil {
		tb.Fatal(r.err)
	}
	p := &loopPair{cli: cli, srv: r.c, scratch: make([]byte, 64<<10), plain: make([]byte, 64<<10)}
	if p.cfd, err = cli.Detach(); err != nil {
		tb.Fatal(err)
	}
	if p.sfd, err = r.c.Detach(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { unix.Close(p.cfd); unix.Close(p.sfd) })
	return p
}

// send seals msg on from's connection and writes it to its socket whole.
func (p *loopPair) send(tb testing.TB, from *Conn, fd int, msg []byte) {
	tb.Helper()
	if err := p.sendErr(from, fd, msg); err != nil {
		tb.Fatal(err)
	}
}

// sendErr is send for another goroutine than the test's.
func (p *loopPair) sendErr(from *Conn, fd int, msg []byte) error {
	var err error
	p.out, err = from.Seal(p.out[:0], msg)
	if err != nil {
		return err
	}
	return writeAllErr(fd, p.out)
}

func writeAll(tb testing.TB, fd int, b []byte) {
	tb.Helper()
	if err := writeAllErr(fd, b); err != nil {
		tb.Fatal(err)
	}
}

func writeAllErr(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := unix.Write(fd, b)
		if err == unix.EAGAIN {
			if err := waitFDErr(fd, unix.POLLOUT); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

func waitFD(tb testing.TB, fd int, ev int16) {
	tb.Helper()
	if err := waitFDErr(fd, ev); err != nil {
		tb.Fatal(err)
	}
}

func waitFDErr(fd int, ev int16) error {
	fds := []unix.PollFd{{Fd: int32(fd), Events: ev}}
	if n, err := unix.Poll(fds, 5000); err != nil || n == 0 {
		return fmt.Errorf("poll fd %d: %d, %v", fd, n, err)
	}
	return nil
}

// recv reads one event's worth on to's socket and returns the plaintext
// (appended to dst) and the error that ended the connection, if any.
func (p *loopPair) recv(tb testing.TB, to *Conn, fd int, dst []byte) ([]byte, int, error) {
	tb.Helper()
	waitFD(tb, fd, unix.POLLIN)
	n, err := to.Fill(fd, p.scratch)
	if err != nil && err != unix.EAGAIN {
		return dst, n, err
	}
	for {
		m, err := to.Read(p.plain)
		dst = append(dst, p.plain[:m]...)
		if err != nil {
			return dst, n, err
		}
		if m == 0 {
			return dst, n, nil
		}
	}
}

// recvN reads until want bytes of plaintext arrived.
func (p *loopPair) recvN(tb testing.TB, to *Conn, fd int, want int) []byte {
	tb.Helper()
	var got []byte
	for len(got) < want {
		var err error
		var n int
		got, n, err = p.recv(tb, to, fd, got)
		if err != nil {
			tb.Fatalf("after %d of %d bytes: %v", len(got), want, err)
		}
		if n == 0 {
			tb.Fatalf("EOF after %d of %d bytes", len(got), want)
		}
	}
	return got
}

func TestInternals(t *testing.T) {
	// A Go release that renames crypto/tls's buffers makes the package
	// fall back to the net.Conn path, which allocates per record and keeps
	// the handshake's buffers: this test says so.
	if !Internals() {
		t.Fatal("crypto/tls's rawInput, input or hand changed: looptls runs without its internals (see internals.go)")
	}
}

// withoutInternals runs f as if crypto/tls's buffers could not be reached.
func withoutInternals(t *testing.T, f func(t *testing.T)) {
	saved := internals.ok
	internals.ok = false
	defer func() { internals.ok = saved }()
	f(t)
}

func TestLoopExchange(t *testing.T) {
	sizes := []int{1, 30, 1000, 16384, 16385, 100000, 300000}
	run := func(t *testing.T) {
		p := newLoopPair(t, clientConfig(t), serverConfig(t))
		for _, n := range sizes {
			msg := bytes.Repeat([]byte{byte(n)}, n)
			for i := range msg {
				msg[i] = byte(i * 7)
			}
			// Client to server, server to client: records bigger than a
			// read, several records per read, records cut by the socket.
			done := make(chan error, 1)
			go func() { done <- p.sendErr(p.cli, p.cfd, msg) }()
			got := p.recvN(t, p.srv, p.sfd, n)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, msg) {
				t.Fatalf("%d bytes to the server: got %d bytes, different", n, len(got))
			}
			go func() { done <- p.sendErr(p.srv, p.sfd, msg) }()
			got = p.recvN(t, p.cli, p.cfd, n)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, msg) {
				t.Fatalf("%d bytes to the client: different", n)
			}
		}
		// close_notify ends the peer's reads with io.EOF.
		p.out = p.srv.CloseNotify(p.out[:0])
		writeAll(t, p.sfd, p.out)
		_, _, err := p.recv(t, p.cli, p.cfd, nil)
		if !errors.Is(err, io.EOF) {
			t.Fatalf("after close_notify: %v, want EOF", err)
		}
		if _, err := p.srv.Seal(nil, []byte("x")); err == nil {
			t.Fatal("Seal after close_notify succeeded")
		}
	}
	t.Run("internals", run)
	t.Run("net.Conn path", func(t *testing.T) { withoutInternals(t, run) })
}

// TestIdleConnKeepsNoBuffers: between events a connection holds neither
// the loop's scratch nor buffers of its own.
func TestIdleConnKeepsNoBuffers(t *testing.T) {
	p := newLoopPair(t, clientConfig(t), serverConfig(t))
	check := func(what string, c *Conn) {
		t.Helper()
		if rb := rawInput(c.tc); rb.Cap() != 0 || c.borrowed {
			t.Errorf("%s: raw input keeps %d bytes (borrowed %v)", what, rb.Cap(), c.borrowed)
		}
		if hb := handBuf(c.tc); hb.Cap() != 0 {
			t.Errorf("%s: handshake buffer keeps %d bytes", what, hb.Cap())
		}
	}
	check("server after the handshake", p.srv)
	p.send(t, p.srv, p.sfd, []byte("hello"))
	// The session ticket came behind the server's flight: the first
	// event on the client reads it as well.
	p.recvN(t, p.cli, p.cfd, 5)
	check("client after a message", p.cli)
	big := make([]byte, 50000)
	done := make(chan error, 1)
	go func() { done <- p.sendErr(p.cli, p.cfd, big) }()
	p.recvN(t, p.srv, p.sfd, len(big))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	check("server after a large message", p.srv)
}

// TestLoopPathAllocs: sealing a frame, and reading one record, allocate
// nothing once the loop's buffers have grown.
func TestLoopPathAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	p := newLoopPair(t, clientConfig(t), serverConfig(t))
	msg := []byte("a heartbeat frame of a few dozen bytes")
	var got []byte
	round := func() {
		p.send(t, p.cli, p.cfd, msg)
		got, _, _ = p.recv(t, p.srv, p.sfd, got[:0])
		p.send(t, p.srv, p.sfd, msg)
		got, _, _ = p.recv(t, p.cli, p.cfd, got[:0])
	}
	round()
	if n := testing.AllocsPerRun(200, round); n != 0 {
		t.Fatalf("%v allocations per round trip", n)
	}
	if !bytes.Equal(got, msg) {
		t.Fatalf("got %q", got)
	}
}

func BenchmarkLoopRoundTrip(b *testing.B) {
	p := newLoopPair(b, clientConfig(b), serverConfig(b))
	msg := make([]byte, 64)
	var got []byte
	b.ReportAllocs()
	for b.Loop() {
		p.send(b, p.cli, p.cfd, msg)
		got, _, _ = p.recv(b, p.srv, p.sfd, got[:0])
		p.send(b, p.srv, p.sfd, msg)
		got, _, _ = p.recv(b, p.cli, p.cfd, got[:0])
	}
}

// loopClient runs StartClient as the load generator does: on a loop that
// connected the socket and steps the handshake on its readiness.
type loopClient struct {
	l   *evloop.Loop
	hs  *Handshake
	res chan *Handshake
}

func (lc *loopClient) OnEvent(uint32) {
	if !lc.hs.Done() && lc.hs.Step() {
		lc.res <- lc.hs
	}
}

func newLoop(tb testing.TB) *evloop.Loop {
	tb.Helper()
	start := time.Now()
	l, err := evloop.New(func() time.Duration { return time.Since(start) }, evloop.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	go l.Run()
	tb.Cleanup(func() { l.Stop(); l.Close() })
	return l
}

// dialFD connects a non-blocking socket to addr, blocking until it is up.
func dialFD(tb testing.TB, addr string) int {
	tb.Helper()
	ap, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		tb.Fatal(err)
	}
	sa := &unix.SockaddrInet4{Port: ap.Port}
	copy(sa.Addr[:], ap.IP.To4())
	if err := unix.Connect(fd, sa); err != nil && err != unix.EINPROGRESS {
		tb.Fatal(err)
	}
	waitFD(tb, fd, unix.POLLOUT)
	if e, _ := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR); e != 0 {
		tb.Fatal(unix.Errno(e))
	}
	return fd
}

// startLoopClient starts a handshake on a fresh socket to addr, on l.
func startLoopClient(tb testing.TB, l *evloop.Loop, addr string, cfg *tls.Config) *loopClient {
	tb.Helper()
	fd := dialFD(tb, addr)
	lc := &loopClient{l: l, res: make(chan *Handshake, 1)}
	ready := make(chan struct{})
	l.Submit(func() {
		defer close(ready)
		lc.hs = StartClient(fd, cfg)
		if lc.hs.Done() {
			lc.res <- lc.hs
			return
		}
		if err := l.Add(fd, unix.EPOLLIN|unix.EPOLLOUT|unix.EPOLLRDHUP|unix.EPOLLET, lc); err != nil {
			tb.Error(err)
		}
	})
	<-ready
	return lc
}

// TestStartClient: handshakes on the loop's sockets succeed, resume with a
// client's own session cache, and fail by cause; none leaves a goroutine.
func TestStartClient(t *testing.T) {
	l := newLoop(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	scfg := serverConfig(t)
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				c, err := Server(nc, scfg)
				if err != nil {
					nc.Close()
					return
				}
				// Echo one read, then close cleanly.
				buf := make([]byte, 100)
				n, _ := c.TLS().Read(buf)
				_, _ = c.TLS().Write(buf[:n])
				_ = c.Close()
			}()
		}
	}()
	goroutines := runtime.NumGoroutine()
	cache := &SessionCache{}
	ccfg := clientConfig(t)
	ccfg.ClientSessionCache = cache
	for i, wantResumed := range []bool{false, true, true} {
		lc := startLoopClient(t, l, ln.Addr().String(), ccfg)
		h := <-lc.res
		c, err := h.Result()
		if err != nil {
			t.Fatalf("handshake %d: %v", i, err)
		}
		if r := c.TLS().ConnectionState().DidResume; r != wantResumed {
			t.Fatalf("handshake %d: resumed %v, want %v", i, r, wantResumed)
		}
		fd := h.fd
		done := make(chan struct{})
		l.Submit(func() {
			_ = l.Modify(fd, unix.EPOLLIN|unix.EPOLLRDHUP)
			l.Remove(fd)
			out, err := c.Seal(nil, []byte("ping"))
			if err != nil {
				t.Error(err)
			}
			writeAll(t, fd, out)
			close(done)
		})
		<-done
		// Read the echo (and, first, the session ticket) off the loop:
		// the test is the loop now.
		p := &loopPair{scratch: make([]byte, 64<<10), plain: make([]byte, 64<<10)}
		var got []byte
		for !bytes.Equal(got, []byte("ping")) {
			var n int
			got, n, err = p.recv(t, c, fd, got)
			if !bytes.Equal(got, []byte("ping")) && (err != nil || n == 0) {
				t.Fatalf("echo: got %q, %v", got, err)
			}
		}
		unix.Close(fd)
	}

	// A server whose certificate is not trusted: a failure of cause
	// certificate.
	other := clientConfig(t)
	other.RootCAs = x509.NewCertPool()
	lc := startLoopClient(t, l, ln.Addr().String(), other)
	h := <-lc.res
	if _, err := h.Result(); Classify(err) != CauseCertificate {
		t.Fatalf("untrusted certificate: %v (%v)", err, Classify(err))
	}
	l.Submit(func() { l.CloseFD(h.fd, true) })
	if n := settled(goroutines); n > goroutines {
		t.Fatalf("%d goroutines, %d before the handshakes", n, goroutines)
	}
}

func TestSessionCacheKeep(t *testing.T) {
	var c SessionCache
	s := &tls.ClientSessionState{}
	c.Put("h", s)
	c.Keep(func() { c.Put("h", nil) })
	if got, ok := c.Get("h"); !ok || got != s {
		t.Fatal("a forget inside Keep dropped the session")
	}
	c.Put("h", nil)
	if _, ok := c.Get("h"); ok {
		t.Fatal("a forget outside Keep kept the session")
	}
}

// settled waits until at most want goroutines run, and returns how many do.
func settled(want int) int {
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCancelHandshake: a handshake the server never answers is canceled by
// its loop: its goroutine ends before Cancel returns, and the socket is
// the loop's to close.
func TestCancelHandshake(t *testing.T) {
	l := newLoop(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	held := make(chan net.Conn, 4)
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			held <- nc // read nothing, answer nothing
		}
	}()
	goroutines := runtime.NumGoroutine()
	lc := startLoopClient(t, l, ln.Addr().String(), clientConfig(t))
	nc := <-held
	defer nc.Close()
	if runtime.NumGoroutine() <= goroutines {
		t.Fatal("no goroutine runs the handshake")
	}
	canceled := make(chan error)
	l.Submit(func() {
		lc.hs.Cancel()
		_, err := lc.hs.Result()
		l.CloseFD(lc.hs.fd, true)
		canceled <- err
	})
	if err := <-canceled; !errors.Is(err, ErrCanceled) || Classify(err) != CauseCanceled {
		t.Fatalf("canceled handshake: %v (%v)", err, Classify(err))
	}
	if n := settled(goroutines); n > goroutines {
		t.Fatalf("%d goroutines after the cancel, %d before", n, goroutines)
	}
}

// TestConnMemory: what an idle connection keeps once on its loop, both
// sides, with Go's default key exchange and with X25519 (the figures of
// the package doc).
func TestConnMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("handshakes 2×200 connections")
	}
	for _, curves := range [][]tls.CurveID{nil, {tls.X25519}} {
		ccfg := clientConfig(t)
		ccfg.CurvePreferences = curves
		const n = 200
		pairs := make([]*loopPair, 0, n)
		heap := func() uint64 {
			var m runtime.MemStats
			runtime.GC()
			runtime.GC()
			runtime.ReadMemStats(&m)
			return m.HeapAlloc
		}
		newLoopPair(t, ccfg, serverConfig(t)) // warm the certificate caches
		before := heap()
		for range n {
			p := newLoopPair(t, ccfg, serverConfig(t))
			p.scratch, p.plain = nil, nil
			pairs = append(pairs, p)
		}
		per := (int64(heap()) - int64(before)) / (2 * n)
		t.Logf("curves %v: %d B per connection", curves, per)
		if per > 4096 {
			t.Errorf("curves %v: %d B per idle connection, over 4 KiB", curves, per)
		}
		runtime.KeepAlive(pairs)
	}
}

// BenchmarkHandshake: a whole handshake, both sides in this process (the
// client's as StartClient runs it, over a socketpair), by key exchange,
// full and resumed: the CPU a TLS storm costs a machine that runs both.
func BenchmarkHandshake(b *testing.B) {
	for _, kx := range []struct {
		name   string
		curves []tls.CurveID
	}{{"default", nil}, {"x25519", []tls.CurveID{tls.X25519}}, {"p256", []tls.CurveID{tls.CurveP256}}} {
		for _, resume := range []bool{false, true} {
			name := kx.name + "/full"
			if resume {
				name = kx.name + "/resumed"
			}
			b.Run(name, func(b *testing.B) {
				scfg := serverConfig(b)
				ccfg := clientConfig(b)
				ccfg.CurvePreferences = kx.curves
				if resume {
					ccfg.ClientSessionCache = &SessionCache{}
				}
				b.ReportAllocs()
				cpu := processCPU()
				for b.Loop() {
					handshakePair(b, ccfg, scfg, resume)
				}
				// CPU, not wall time: what a handshake costs both sides
				// whatever else the machine runs.
				b.ReportMetric(float64((processCPU()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
			})
		}
	}
}

// processCPU is the CPU time this process used, every thread.
func processCPU() time.Duration {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts) != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// handshakePair runs one handshake over a socketpair and checks whether
// it resumed.
func handshakePair(b *testing.B, ccfg, scfg *tls.Config, resume bool) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		b.Fatal(err)
	}
	cnc, snc := netConn(b, fds[0]), netConn(b, fds[1])
	had := false
	if cache, ok := ccfg.ClientSessionCache.(*SessionCache); ok {
		had = cache.state != nil
	}
	done := make(chan error, 1)
	go func() {
		c, err := Server(snc, scfg)
		if err == nil {
			// Read the client's Finished (and send the ticket).
			_, err = c.TLS().Write([]byte{0})
		}
		done <- err
	}()
	c, err := Client(cnc, ccfg)
	if err != nil {
		b.Fatal(err)
	}
	one := make([]byte, 1)
	if _, err := c.TLS().Read(one); err != nil {
		b.Fatal(err)
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	if r := c.TLS().ConnectionState().DidResume; r != (resume && had) {
		b.Fatalf("resumed %v, want %v", r, resume && had)
	}
	cnc.Close()
	snc.Close()
}

func netConn(tb testing.TB, fd int) net.Conn {
	tb.Helper()
	f := os.NewFile(uintptr(fd), "pair")
	defer f.Close()
	nc, err := net.FileConn(f)
	if err != nil {
		tb.Fatal(err)
	}
	return nc
}
