package loadgen_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/measure"
	"github.com/stormbench/stormbench/loadgen"
	"github.com/stormbench/stormbench/reporter"
)

// hostile is a loopback server whose every connection serve answers.
type hostile struct {
	ln    net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns []net.Conn
}

func startHostile(t *testing.T, serve func(net.Conn)) *hostile {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &hostile{ln: ln}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			h.mu.Lock()
			h.conns = append(h.conns, c)
			h.mu.Unlock()
			h.wg.Add(1)
			go func() {
				defer h.wg.Done()
				serve(c)
			}()
		}
	}()
	return h
}

// stop closes the listener and every connection, and waits for the
// server's goroutines.
func (h *hostile) stop() {
	h.ln.Close()
	h.mu.Lock()
	for _, c := range h.conns {
		c.Close()
	}
	h.mu.Unlock()
	h.wg.Wait()
}

// drain reads c until the client closes it.
func drain(c net.Conn) {
	buf := make([]byte, 4096)
	for {
		if _, err := c.Read(buf); err != nil {
			return
		}
	}
}

// tlsUpgrade makes c a TLS connection with cert and answers the client's
// WebSocket upgrade; it returns the TLS connection, nil on failure.
func tlsUpgrade(c net.Conn, cert tls.Certificate) *tls.Conn {
	tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
	if err := tc.Handshake(); err != nil {
		return nil
	}
	if _, err := ws.Upgrade(tc); err != nil {
		return nil
	}
	return tc
}

// openFDs counts this process's open descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// settledGoroutines waits until at most want goroutines run (those that
// end, end within seconds), and returns how many run.
func settledGoroutines(want int) int {
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= want || time.Now().After(deadline) {
			return n
		}
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond)
	}
}

// TestHostileTLSServer: a peer that speaks TLS badly, or not at all, fails
// attempts by cause, and ends connections by cause, and leaves neither a
// descriptor nor a goroutine behind once the fleet is closed.
func TestHostileTLSServer(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a fleet against each hostile server")
	}
	srv := selfSigned(t, "127.0.0.1")
	cert, err := tls.X509KeyPair(srv.cert, srv.key)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		// serve answers one connection.
		serve func(net.Conn)
		// failures: the attempts' cause; disconnects: the connections'
		// (an upgrade that succeeded first).
		failure, disconnect string
	}{
		{"garbage instead of a handshake", func(c net.Conn) {
			_, _ = c.Write([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"))
			drain(c)
		}, "tls", ""},
		{"closes mid-record in the handshake", func(c net.Conn) {
			// A handshake record announcing 1 000 bytes, 10 of them, then
			// the end.
			_, _ = bufio.NewReader(c).Peek(5)
			_, _ = c.Write([]byte{22, 3, 3, 0x03, 0xe8, 2, 0, 0, 0x70, 3, 3, 1, 2, 3, 4})
			c.Close()
		}, "reset", ""},
		{"never finishes the handshake", func(c net.Conn) {
			drain(c) // reads the ClientHello, answers nothing
		}, "timeout", ""},
		{"a record that does not decrypt", func(c net.Conn) {
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
			if tc.Handshake() != nil {
				return
			}
			// Application data, its header right, its body noise.
			rec := append([]byte{23, 3, 3, 0, 40}, make([]byte, 40)...)
			_, _ = c.Write(rec)
			drain(c)
		}, "tls", ""},
		{"closes mid-record on an open connection", func(c net.Conn) {
			if tlsUpgrade(c, cert) == nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
			_, _ = c.Write([]byte{23, 3, 3, 0, 200, 1, 2, 3})
			c.Close()
		}, "", "eof"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fds, goroutines := openFDs(t), runtime.NumGoroutine()
			h := startHostile(t, tt.serve)
			const clients = 20
			cfg := loadgen.Config{URL: "wss://" + h.ln.Addr().String() + "/ws", Clients: clients, RampRate: 2000, Hold: 500 * time.Millisecond, Loops: 1,
				ConnectTimeout: 400 * time.Millisecond,
				TLS:            loadgen.TLS{Material: &loadgen.TLSMaterial{CA: srv.cert}},
				Fault:          loadgen.Fault{Kind: loadgen.FaultNone, RecoverTimeout: time.Second},
				Policy:         loadgen.Policy{Base: 100 * time.Millisecond, Max: 200 * time.Millisecond, Jitter: loadgen.JitterNone},
				Heartbeat:      loadgen.Heartbeat{Mode: loadgen.HeartbeatNone}}.Resolve()
			start := time.Now()
			clock := func() time.Duration { return time.Since(start) }
			rec := reporter.NewRecorder(reporter.Options{Start: start})
			f, err := loadgen.NewFleet(cfg, rec, clock)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			_, err = loadgen.Run(ctx, cfg, f, rec, loadgen.Options{Start: start, Clock: clock})
			cancel()
			if err != nil && !errors.Is(err, loadgen.ErrNoConnection) {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			h.stop()
			sum := reporter.Summarize(rec.Snapshot(clock()), reporter.SummaryOptions{})
			c := sum.Counters
			fails, discs := c.Keys(measure.FailureCauses), c.Keys(measure.DisconnectCauses)
			if tt.failure != "" {
				if fails[tt.failure] < clients || fails[tt.failure]+fails["canceled"] != c.Get(measure.Failures) || c.Get(measure.Connects) != 0 {
					t.Errorf("failures %v, connects %d: want every attempt failed with %s", fails, c.Get(measure.Connects), tt.failure)
				}
			}
			if tt.disconnect != "" {
				if discs[tt.disconnect] < clients {
					t.Errorf("disconnects %v: want every connection ended with %s", discs, tt.disconnect)
				}
			}
			if n := openFDs(t); n > fds {
				t.Errorf("%d descriptors open after the run, %d before", n, fds)
			}
			if n := settledGoroutines(goroutines); n > goroutines {
				buf := make([]byte, 1<<16)
				t.Errorf("%d goroutines after the run, %d before:\n%s", n, goroutines, buf[:runtime.Stack(buf, true)])
			}
		})
	}
}
