package sut

import (
	"net"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/protocol"
)

// produce makes client's session produce n direct messages now, on its
// loop: the tests decide when messages exist instead of racing a timer.
func produce(t *testing.T, s *Server, client uint64, n int) {
	t.Helper()
	sh := s.shards[client%uint64(len(s.shards))]
	done := make(chan struct{})
	sh.loop.Submit(func() {
		ss := sh.session(client)
		for range n {
			now := sh.loop.Now()
			ss.direct.due = now
			sh.produceDirect(ss, now)
		}
		close(done)
	})
	<-done
}

func expectDirect(t *testing.T, c net.Conn, ids ...int64) {
	t.Helper()
	for _, id := range ids {
		m, _ := readMsg(t, c)
		if m.Kind != protocol.KindDirect || m.ID != id || !m.HasT || m.T <= 0 {
			t.Fatalf("got %+v, want direct %d", m, id)
		}
	}
}

// TestDirectDelivery: a connected client gets its direct messages at
// their rate, numbered from 1.
func TestDirectDelivery(t *testing.T) {
	s, _ := startServer(t, Config{DirectRate: 50})
	c := dial(t, s, "?client=4")
	start := time.Now()
	expectDirect(t, c, 1, 2, 3, 4, 5)
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Fatalf("5 messages at 50/s in %v", d)
	}
	// The loop counts a message after its write returns: wait for it.
	eventually(t, func() bool { st := s.Stats().Counters; return st.DirectSent >= 5 && st.DirectProduced >= 5 }, "5 direct messages counted")
}

// TestOfflineQueue: messages produced while the client is away wait in a
// bounded queue (oldest dropped, counted exactly) and are delivered on
// reconnect; ?direct=LAST skips what the client has and sends again what
// a dead connection swallowed.
func TestOfflineQueue(t *testing.T) {
	tests := []struct {
		name          string
		queue         int
		whileOn       int    // produced and read while connected
		whileAway     int    // produced while away
		resume        string // query of the reconnect
		want          []int64
		dropped       int64
		redelivered   int64
		wantPeakQueue int64
	}{
		{"bound 5, 10 while away", 5, 0, 10, "", []int64{6, 7, 8, 9, 10}, 5, 0, 5},
		{"bound evicts delivered first", 5, 3, 4, "", []int64{4, 5, 6, 7}, 0, 0, 4},
		{"no resume parameter", 10, 3, 2, "", []int64{4, 5}, 0, 0, 2},
		{"resume skips delivered", 10, 3, 2, "&direct=3", []int64{4, 5}, 0, 0, 2},
		{"resume redelivers lost", 10, 3, 2, "&direct=1", []int64{2, 3, 4, 5}, 0, 2, 2},
		{"resume past what was sent", 10, 3, 2, "&direct=4", []int64{5}, 0, 0, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A rate so low that the timer never fires: produce decides.
			s, _ := startServer(t, Config{DirectRate: 0.001, OfflineQueue: tt.queue})
			c := dial(t, s, "?client=1")
			waitOpen(t, s, 1)
			produce(t, s, 1, tt.whileOn)
			for id := 1; id <= tt.whileOn; id++ {
				expectDirect(t, c, int64(id))
			}
			c.Close()
			waitOpen(t, s, 0)
			produce(t, s, 1, tt.whileAway)
			c2 := dial(t, s, "?client=1"+tt.resume)
			expectDirect(t, c2, tt.want...)
			expectNothingElse(t, c2)
			st := s.Stats().Counters
			if st.DirectDropped != tt.dropped || st.DirectRedelivered != tt.redelivered || st.DirectQueued != 0 || st.DirectQueuedPeak != tt.wantPeakQueue {
				t.Fatalf("dropped %d redelivered %d queued %d peak %d; want %d %d 0 %d",
					st.DirectDropped, st.DirectRedelivered, st.DirectQueued, st.DirectQueuedPeak, tt.dropped, tt.redelivered, tt.wantPeakQueue)
			}
			if want := int64(tt.whileOn + tt.whileAway); st.DirectProduced != want {
				t.Fatalf("produced %d, want %d", st.DirectProduced, want)
			}
		})
	}
}

// TestExpiredSessionDropsQueue: an away session that expires drops what
// it kept for its client.
func TestExpiredSessionDropsQueue(t *testing.T) {
	s, _ := startServer(t, Config{DirectRate: 0.001, OfflineQueue: 5, SessionTTL: 100 * time.Millisecond})
	c := dial(t, s, "?client=2")
	waitOpen(t, s, 1)
	c.Close()
	waitOpen(t, s, 0)
	produce(t, s, 2, 3)
	eventually(t, func() bool { return s.Stats().Counters.SessionsExpired == 1 }, "the session to expire")
	if st := s.Stats().Counters; st.DirectDropped != 3 || st.DirectQueued != 0 {
		t.Fatalf("dropped %d queued %d; want 3 0", st.DirectDropped, st.DirectQueued)
	}
}
