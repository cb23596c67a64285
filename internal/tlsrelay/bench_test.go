package tlsrelay

import (
	"crypto/tls"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"
)

// BenchmarkHandshake: one connection after another, client sidecar and
// server sidecar in this process: TCP, TLS 1.3 handshake, one echoed
// byte, clean close. Per operation it is the CPU of both sides (the two
// cores overlap little: each step waits for the other side's).
func BenchmarkHandshake(b *testing.B) {
	p := testPKI(b)
	for _, tc := range []struct {
		name   string
		curves []tls.CurveID
		resume bool
	}{
		{"default-curves", nil, false},
		{"default-curves/resumed", nil, true},
		{"X25519", []tls.CurveID{tls.X25519}, false},
		{"X25519/resumed", []tls.CurveID{tls.X25519}, true},
		{"P256", []tls.CurveID{tls.CurveP256}, false},
	} {
		b.Run(tc.name, func(b *testing.B) {
			srv := startEcho(b, p.server)
			cfg := clientConfig(b)
			cfg.TLS.CurvePreferences = tc.curves
			if tc.resume {
				cfg.TLS.ClientSessionCache = tls.NewLRUClientSessionCache(8)
			}
			one := make([]byte, 1)
			b.ReportAllocs()
			for b.Loop() {
				fd, r, err := Dial(cfg, srv.addr(), netip.Addr{}, nil)
				if err != nil {
					b.Fatal(err)
				}
				one[0] = 'm'
				writeAll(b, fd, one)
				readFull(b, fd, one)
				unix.Close(fd)
				<-r.Done()
				<-srv.ends
				<-srv.relays
			}
		})
	}
}

// BenchmarkRoundTrip: one small message through client relay → server
// relay → echo loop and back, on a warm connection: the relays' hot path.
func BenchmarkRoundTrip(b *testing.B) {
	srv := startEcho(b, testPKI(b).server)
	fd, r, ev := dial(b, clientConfig(b), srv.addr())
	defer unix.Close(fd)
	ev.next(b, EventTLS)
	msg := make([]byte, 64)
	msg[0] = 'm'
	got := make([]byte, len(msg))
	b.ReportAllocs()
	for b.Loop() {
		writeAll(b, fd, msg)
		readFull(b, fd, got)
	}
	b.StopTimer()
	r.Abort()
	<-r.Done()
}
