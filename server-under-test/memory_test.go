package sut

import (
	"io"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/evloop"
	"github.com/stormbench/stormbench/internal/protocol"
	"golang.org/x/sys/unix"
)

// idleShard is a shard whose loop is not running: the test's goroutine
// plays the loop's part, so that it can call the hot path directly and
// measure it. Its one connection is a real socket pair whose other end is
// drained.
func idleShard(t testing.TB, cfg Config) (*shard, *conn) {
	t.Helper()
	cfg.Listen, cfg.Control, cfg.ControlToken = "127.0.0.1:0", "127.0.0.1:0", "x"
	s, err := New(cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	l, err := evloop.New(func() time.Duration { return time.Since(s.start) }, evloop.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	sh := newShard(s, l, 0)
	s.shards = []*shard{sh}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	peer := os.NewFile(uintptr(fds[1]), "peer")
	go func() { _, _ = io.Copy(io.Discard, peer) }()
	t.Cleanup(func() { peer.Close() })
	sh.register(fds[0], protocol.Query{Client: 1, HasClient: true}, nil)
	return sh, sh.conns[0]
}

// TestAckPathAllocs: receiving a send and writing its ack allocates
// nothing per message.
func TestAckPathAllocs(t *testing.T) {
	_, c := idleShard(t, Config{})
	var id uint64
	buf := make([]byte, 0, 256)
	allocs := testing.AllocsPerRun(1000, func() {
		id++
		buf = protocol.AppendSend(buf[:0], 1, id, 1, 100)
		c.Message(0, ws.OpText, buf, 0)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per message", allocs)
	}
	if n := c.sh.srv.stats.c.acksSent.Load(); n < 1000 {
		t.Fatalf("%d acks sent", n)
	}
}

// BenchmarkAckPath: parse, de-duplicate, ack, write, per message.
func BenchmarkAckPath(b *testing.B) {
	_, c := idleShard(b, Config{})
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = protocol.AppendSend(buf[:0], 1, uint64(i+1), 1, 100)
		c.Message(0, ws.OpText, buf, 0)
	}
}

// TestSessionMemory measures the heap cost of a session and of a kept
// direct message and checks that the estimates /stats reports are close.
func TestSessionMemory(t *testing.T) {
	const sessions, queued = 20000, 200
	sh, _ := idleShard(t, Config{DirectRate: 1, OfflineQueue: queued})
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	h0 := heap()
	for i := range sessions {
		sh.session(uint64(i + 2))
	}
	h1 := heap()
	perSession := float64(h1-h0) / sessions
	// Fill the queues of the first 1000 sessions.
	const filled = 1000
	for i := range filled {
		s := sh.sessions[uint64(i+2)]
		for range queued {
			s.direct.push(1, queued)
		}
	}
	h2 := heap()
	perMessage := float64(h2-h1) / (filled * queued)
	t.Logf("per session %.0f bytes, per queued message %.1f bytes", perSession, perMessage)
	runtime.KeepAlive(sh)
	if perSession > 2*sessionBytes || perSession < sessionBytes/2 {
		t.Errorf("per session %.0f bytes, estimate %d: update sessionBytes", perSession, sessionBytes)
	}
	if perMessage > 2*queuedMessageBytes || perMessage < queuedMessageBytes/2 {
		t.Errorf("per queued message %.1f bytes, estimate %d: update queuedMessageBytes", perMessage, queuedMessageBytes)
	}
}
