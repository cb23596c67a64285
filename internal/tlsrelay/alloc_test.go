package tlsrelay

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestRelayAllocations: a message's round trip through both relays
// (client pumps, server pumps, crypto/tls under them) and the echo loop
// allocates no more than crypto/tls itself must: one 24-byte reader per
// record it reads from the network (its readFromUntil wraps the conn in
// an atLeastReader that escapes). The relay's own code allocates nothing:
// buffers are pooled, callbacks are method values made once. AllocsPerRun
// counts every goroutine's allocations, so the relays' are included.
func TestRelayAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	srv := startEcho(t, testPKI(t).server)
	fd, r, ev := dial(t, clientConfig(t), srv.addr())
	defer unix.Close(fd)
	ev.next(t, EventTLS)
	// One record each way, read once by the server's relay and once by
	// the client's.
	const perRoundTrip = 2
	for _, size := range []int{32, stashSize + 50, 4000} {
		msg := make([]byte, size)
		msg[0] = 'm'
		got := make([]byte, size)
		roundTrip := func() {
			writeAll(t, fd, msg)
			readFull(t, fd, got)
		}
		for range 20 {
			roundTrip() // warm the pools and the TLS buffers
		}
		if a := testing.AllocsPerRun(200, roundTrip); a > perRoundTrip {
			t.Errorf("%d-byte round trip: %.2f allocations, want ≤ %d", size, a, perRoundTrip)
		}
	}
	r.Abort()
	waitDone(t, r)
}
