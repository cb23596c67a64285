package tlsrelay

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestEcho sends messages of sizes around the stash and the record size
// through client sidecar → server sidecar → echo, written at once after
// Dial (before the handshake is done), and reads them back whole.
func TestEcho(t *testing.T) {
	srv := startEcho(t, testPKI(t).server)
	for _, size := range []int{1, 100, stashSize - 1, stashSize, stashSize + 1, bufSize, bufSize + 1, 100_000, 1 << 20} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			fd, r, ev := dial(t, clientConfig(t), srv.addr())
			defer unix.Close(fd)
			msg := make([]byte, size)
			rng := rand.New(rand.NewPCG(uint64(size), 1))
			for i := range msg {
				msg[i] = byte(rng.Uint32())
			}
			msg[0] = 'm' // not a command of the echo server
			// Write from another goroutine: a large message does not fit
			// in the socket buffers until the echo is read.
			done := make(chan struct{})
			go func() { defer close(done); writeAll(t, fd, msg) }()
			got := make([]byte, size)
			readFull(t, fd, got)
			<-done
			if !bytes.Equal(got, msg) {
				t.Fatal("echo differs")
			}
			e := ev.next(t, EventTLS)
			tcpAt, tlsAt := r.Times()
			if tcpAt < 0 || tlsAt < tcpAt || e.At != tlsAt || e.Version != tls.VersionTLS13 {
				t.Fatalf("times tcp %v tls %v, event %+v", tcpAt, tlsAt, e)
			}
		})
	}
}

// TestSplitWrites writes a message a byte at a time and several messages
// back to back; the relay may cut and join them, the byte stream is what
// must arrive.
func TestSplitWrites(t *testing.T) {
	srv := startEcho(t, testPKI(t).server)
	fd, _, ev := dial(t, clientConfig(t), srv.addr())
	defer unix.Close(fd)
	ev.next(t, EventTLS)
	msg := []byte("m-split-write-one-byte-at-a-time")
	for i := range msg {
		writeAll(t, fd, msg[i:i+1])
	}
	got := make([]byte, len(msg))
	readFull(t, fd, got)
	if !bytes.Equal(got, msg) {
		t.Fatalf("got %q", got)
	}
	var all []byte
	for i := range 50 {
		m := fmt.Appendf(nil, "m%03d:%s;", i, bytes.Repeat([]byte{'x'}, i*7))
		all = append(all, m...)
		writeAll(t, fd, m)
	}
	got = make([]byte, len(all))
	readFull(t, fd, got)
	if !bytes.Equal(got, all) {
		t.Fatal("stream differs")
	}
}

// TestServerCloses: the server's loop shuts down its writing side (a
// going-away close); the client's loop reads the echo then EOF, and the
// relay says EOF, not reset. When the client's loop then closes its end,
// the server's loop sees a clean EOF.
func TestServerCloses(t *testing.T) {
	srv := startEcho(t, testPKI(t).server)
	fd, r, ev := dial(t, clientConfig(t), srv.addr())
	writeAll(t, fd, []byte("!close"))
	sr := srv.relay(t)
	got, err := readEnd(t, fd)
	if err != nil || string(got) != "!close" {
		t.Fatalf("read %q, %v; want the echo then EOF", got, err)
	}
	if c := r.Cause(); c != CauseEOF {
		t.Fatalf("client cause %v, want eof", c)
	}
	unix.Close(fd)
	end := srv.end(t)
	if !end.eof || end.cause != CauseEOF {
		t.Fatalf("server saw %+v, want a clean EOF", end)
	}
	waitDone(t, r)
	waitDone(t, sr)
	if e := ev.next(t, EventClosed); e.Cause != CauseEOF {
		t.Fatalf("closed event %+v", e)
	}
}

// TestServerAborts: the server aborts (RST); the client's loop reads EOF,
// which AF_UNIX cannot mark as a reset, and the relay's cause, set
// before, says reset.
func TestServerAborts(t *testing.T) {
	srv := startEcho(t, testPKI(t).server)
	fd, r, _ := dial(t, clientConfig(t), srv.addr())
	defer unix.Close(fd)
	writeAll(t, fd, []byte("!abort"))
	if _, err := readEnd(t, fd); err != nil {
		t.Fatalf("read error %v, want EOF", err)
	}
	if c := r.Cause(); c != CauseReset {
		t.Fatalf("client cause %v, want reset", c)
	}
	if end := srv.end(t); end.cause != CauseAborted {
		t.Fatalf("server end %+v", end)
	}
	waitDone(t, r)
}

// TestClientEnds: how the client's side ends, and what the server's loop
// and relay see.
func TestClientEnds(t *testing.T) {
	srv := startEcho(t, testPKI(t).server)
	for _, tc := range []struct {
		name        string
		end         func(fd int, r *Relay)
		client, srv Cause
		// orClient is another cause the client may end with, when the
		// outcome is a race the test does not control.
		orClient Cause
	}{
		{"abort", func(fd int, r *Relay) { r.Abort(); unix.Close(fd) }, CauseAborted, CauseReset, CauseNone},
		{"close loop end", func(fd int, r *Relay) { unix.Close(fd) }, CauseClosed, CauseEOF, CauseNone},
		{"Close", func(fd int, r *Relay) {
			r.Close()
			if _, err := readEnd(t, fd); err != nil {
				t.Errorf("after Close: %v, want EOF", err)
			}
			unix.Close(fd)
		}, CauseClosed, CauseEOF, CauseNone},
		{"shutdown then close", func(fd int, r *Relay) {
			// A half-close first: the server gets close_notify and FIN,
			// its loop reads EOF and closes, then so does ours.
			unix.Shutdown(fd, unix.SHUT_WR)
			if _, err := readEnd(t, fd); err != nil {
				t.Errorf("after shutdown: %v, want EOF", err)
			}
			unix.Close(fd)
		}, CauseEOF, CauseEOF, CauseNone},
		{"shutdown then Close", func(fd int, r *Relay) {
			unix.Shutdown(fd, unix.SHUT_WR)
			r.Close()
			if _, err := readEnd(t, fd); err != nil {
				t.Errorf("after Close: %v, want EOF", err)
			}
			unix.Close(fd)
			// The server's close can reach the relay before Close does.
		}, CauseClosed, CauseEOF, CauseEOF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fd, r, ev := dial(t, clientConfig(t), srv.addr())
			writeAll(t, fd, []byte("ping"))
			readFull(t, fd, make([]byte, 4))
			sr := srv.relay(t)
			tc.end(fd, r)
			end := srv.end(t)
			if end.cause != tc.srv || end.err != nil {
				t.Fatalf("server saw %+v, want cause %v", end, tc.srv)
			}
			waitDone(t, r)
			waitDone(t, sr)
			if c := r.Cause(); c != tc.client && (tc.orClient == CauseNone || c != tc.orClient) {
				t.Fatalf("client cause %v, want %v", c, tc.client)
			}
			if e := ev.next(t, EventClosed); e.Cause != r.Cause() {
				t.Fatalf("closed event %+v", e)
			}
		})
	}
}

// TestClientAbortIsRST checks the wire: a plain TLS server reading from
// the connection gets ECONNRESET when the client's relay aborts.
func TestClientAbortIsRST(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- err
			return
		}
		defer c.Close()
		tc := tls.Server(c, testPKI(t).server)
		c.SetDeadline(time.Now().Add(waitLimit))
		buf := make([]byte, 16)
		if _, err := tc.Read(buf); err != nil {
			got <- err
			return
		}
		_, err = tc.Read(buf)
		got <- err
	}()
	fd, r, ev := dial(t, clientConfig(t), ln.Addr().(*net.TCPAddr).AddrPort())
	defer unix.Close(fd)
	writeAll(t, fd, []byte("x"))
	ev.next(t, EventTLS)
	// Whether the server read "x" before the RST or not, its next read
	// fails with a reset.
	r.Abort()
	err = <-got
	if err == nil || CauseOf(err) != CauseReset {
		t.Fatalf("server read %v, want a reset", err)
	}
	waitDone(t, r)
}

// TestAttemptFailures: each way an attempt fails gives its typed cause,
// an EventFailed, an EOF on the loop's end and no goroutine left.
func TestAttemptFailures(t *testing.T) {
	p := testPKI(t)
	srv := startEcho(t, p.server)
	other, otherPool, err := SelfSigned([]string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	_ = other
	silent := listenSilent(t)
	notTLS := listenWith(t, func(c net.Conn) { c.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n")); c.Close() })
	// Reads the ClientHello first: closing with it unread would send an
	// RST instead of the FIN this case is about.
	hangUp := listenWith(t, func(c net.Conn) { c.Read(make([]byte, 4096)); c.Close() })
	refused := closedPort(t)

	for _, tc := range []struct {
		name   string
		to     netip.AddrPort
		cfg    func(*ClientConfig)
		act    func(r *Relay, ev *events, cancel context.CancelFunc)
		want   Cause
		srvErr Cause // what the echo server's Accept reports, if it is the target
	}{
		{name: "refused", to: refused, want: CauseRefused},
		{name: "wrong CA", to: srv.addr(), cfg: func(c *ClientConfig) { c.TLS.RootCAs = otherPool }, want: CauseCertificate, srvErr: CauseCertificate},
		{name: "wrong name", to: srv.addr(), cfg: func(c *ClientConfig) { c.TLS.ServerName = "example.invalid" }, want: CauseCertificate, srvErr: CauseCertificate},
		{name: "no TLS", to: notTLS, want: CauseHandshake},
		{name: "hang up", to: hangUp, want: CauseEOF},
		{name: "timeout", to: silent, cfg: func(c *ClientConfig) { c.ConnectTimeout = 200 * time.Millisecond }, want: CauseTimeout},
		{name: "abort", to: silent, act: func(r *Relay, ev *events, _ context.CancelFunc) { ev.next(t, EventTCP); r.Abort() }, want: CauseAborted},
		{name: "close", to: silent, act: func(r *Relay, ev *events, _ context.CancelFunc) { ev.next(t, EventTCP); r.Close() }, want: CauseClosed},
		{name: "canceled", to: silent, act: func(r *Relay, ev *events, cancel context.CancelFunc) { ev.next(t, EventTCP); cancel() }, want: CauseCanceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := clientConfig(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cfg.Context = ctx
			if tc.cfg != nil {
				tc.cfg(cfg)
			}
			fd, r, ev := dial(t, cfg, tc.to)
			defer unix.Close(fd)
			// The loop may write its upgrade request at once; when the
			// attempt already failed the write fails with EPIPE.
			_, _ = unix.Write(fd, []byte("GET / HTTP/1.1\r\n\r\n"))
			if tc.act != nil {
				tc.act(r, ev, cancel)
			}
			e := ev.next(t, EventFailed)
			if e.Cause != tc.want || r.Cause() != tc.want || CauseOf(e.Err) != tc.want {
				t.Fatalf("cause %v (relay %v), err %v; want %v", e.Cause, r.Cause(), e.Err, tc.want)
			}
			if _, err := readEnd(t, fd); err != nil {
				t.Fatalf("loop end: %v, want EOF", err)
			}
			waitDone(t, r)
			if tc.srvErr != CauseNone {
				select {
				case err := <-srv.accErr:
					if CauseOf(err) != tc.srvErr {
						t.Fatalf("server: %v (%v), want %v", err, CauseOf(err), tc.srvErr)
					}
				case <-time.After(waitLimit):
					t.Fatal("server: no handshake error")
				}
			}
		})
	}
	// An aborted attempt resets the TCP connection: the silent server's
	// reads of the aborted and canceled attempts' sockets saw resets or
	// EOFs; what matters is that they all ended.
}

// listenSilent accepts TCP connections and never answers: the TLS
// handshake can only time out.
func listenSilent(t *testing.T) netip.AddrPort {
	return listenWith(t, func(c net.Conn) {
		c.SetDeadline(time.Now().Add(waitLimit))
		c.Read(make([]byte, 4096))
		c.Read(make([]byte, 4096))
		c.Close()
	})
}

// listenWith accepts TCP connections and runs fn on each.
func listenWith(t *testing.T, fn func(net.Conn)) netip.AddrPort {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go fn(c)
		}
	}()
	return ln.Addr().(*net.TCPAddr).AddrPort()
}

// closedPort returns a loopback port nobody listens on.
func closedPort(t *testing.T) netip.AddrPort {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := ln.Addr().(*net.TCPAddr).AddrPort()
	ln.Close()
	return a
}

// TestResumption: a second connection with the same session cache
// resumes the TLS 1.3 session (the ticket arrived on the first one, and
// its relay handed it to crypto/tls).
func TestResumption(t *testing.T) {
	srv := startEcho(t, testPKI(t).server)
	cfg := clientConfig(t)
	cfg.TLS.ClientSessionCache = tls.NewLRUClientSessionCache(8)
	for i, want := range []bool{false, true} {
		fd, r, ev := dial(t, cfg, srv.addr())
		writeAll(t, fd, []byte("ping"))
		readFull(t, fd, make([]byte, 4))
		if e := ev.next(t, EventTLS); e.Resumed != want || r.ConnectionState().DidResume != want {
			t.Fatalf("connection %d: resumed %v, want %v", i, e.Resumed, want)
		}
		unix.Close(fd)
		waitDone(t, r)
	}
}

// TestHold: a held relay passes nothing in either direction; released,
// it passes what waited.
func TestHold(t *testing.T) {
	srv := startEcho(t, testPKI(t).server)
	fd, r, _ := dial(t, clientConfig(t), srv.addr())
	defer unix.Close(fd)
	writeAll(t, fd, []byte("ping"))
	readFull(t, fd, make([]byte, 4))
	sr := srv.relay(t)
	sr.Hold()
	writeAll(t, fd, []byte("held"))
	// A negative check: it cannot pass by luck if Hold is broken only
	// when the echo would take longer than this, which on loopback it
	// does not.
	if pollFD(t, fd, unix.POLLIN, 200*time.Millisecond) {
		t.Fatal("echo arrived through a held relay")
	}
	sr.Release()
	got := make([]byte, 4)
	readFull(t, fd, got)
	if string(got) != "held" {
		t.Fatalf("got %q", got)
	}
	r.Abort()
	waitDone(t, r)
	waitDone(t, sr)
}

// TestNoGoroutineLeak: after connections echo and end every way, the
// goroutine count comes back to where it was.
func TestNoGoroutineLeak(t *testing.T) {
	srv := startEcho(t, testPKI(t).server)
	// Let the server's accept goroutine and loop start first.
	base := runtime.NumGoroutine()
	var relays []*Relay
	for i := range 30 {
		fd, r, _ := dial(t, clientConfig(t), srv.addr())
		writeAll(t, fd, []byte("ping"))
		readFull(t, fd, make([]byte, 4))
		relays = append(relays, r, srv.relay(t))
		switch i % 3 {
		case 0:
			unix.Close(fd)
		case 1:
			r.Abort()
			unix.Close(fd)
		case 2:
			writeAll(t, fd, []byte("!close"))
			readEnd(t, fd)
			unix.Close(fd)
		}
	}
	for _, r := range relays {
		waitDone(t, r)
	}
	// Done is closed just before a goroutine returns: poll the count.
	deadline := time.Now().Add(waitLimit)
	for runtime.NumGoroutine() > base+2 {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
