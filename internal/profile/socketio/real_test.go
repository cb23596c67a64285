package socketio

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
)

// TestRealServer speaks to socket.io 4.8 (scripts/targets/socketio) with
// its heartbeat shortened to 300 ms + 300 ms: the client joins, becomes
// ready, receives ticks and outlives several ping timeouts with no close
// from the server, which counts it as joined.
func TestRealServer(t *testing.T) {
	port, stats := profiletest.FreePort(t), profiletest.FreePort(t)
	profiletest.NodeTarget(t, "socketio", port, "SOCKETIO_PORT="+strconv.Itoa(port), "SOCKETIO_STATS_PORT="+strconv.Itoa(stats),
		"TICK_MS=100", "SOCKETIO_PING_INTERVAL=300", "SOCKETIO_PING_TIMEOUT=300")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := profiletest.Dial(ctx, fmt.Sprintf("ws://127.0.0.1:%d", port), newProfile(t, profile.Config{Resume: true}), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ready := func(r *profiletest.Conn) bool {
		for _, e := range r.Events {
			if e.Kind == profile.Ready {
				return true
			}
		}
		return false
	}
	if !c.WaitFor(5*time.Second, ready) {
		r := c.Snapshot()
		t.Fatalf("not ready: %s", &r)
	}
	s, err := profiletest.Stats(ctx, stats)
	if err != nil || !strings.Contains(s, `"joined":1`) {
		t.Errorf("server stats %s (%v), want joined 1", s, err)
	}
	// 2 s: more than three of the server's ping timeouts.
	time.Sleep(2 * time.Second)
	r := c.Snapshot()
	select {
	case <-c.Done():
		t.Fatalf("the server closed the connection (%d): %s", c.CloseCode, &r)
	default:
	}
	pings, unrecognised := 0, 0
	for _, e := range r.Events {
		switch e.Kind {
		case profile.ServerPing:
			pings++
		case profile.Unrecognised, profile.Malformed:
			unrecognised++
		}
	}
	if pings < 4 || unrecognised > 0 || len(r.Datums) < 15 {
		t.Errorf("%d pings, %d messages unrecognised, %d ticks: %s", pings, unrecognised, len(r.Datums), &r)
	}
	if st := c.State(); len(st.Resume) == 0 {
		t.Error("no pid or offset kept to resume with")
	}
}
