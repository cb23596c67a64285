package sut

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/fault"
)

// TestGroupSharesPortAndFansOut runs two in-process workers on one port
// (SO_REUSEPORT) behind a Group: faults reach both, stats add up.
func TestGroupSharesPortAndFansOut(t *testing.T) {
	start := time.Now()
	var workers []*Server
	addr := "127.0.0.1:0"
	for i := 0; i < 2; i++ {
		s, err := New(Config{Listen: addr, Control: "127.0.0.1:0", ControlToken: "tok", ReusePort: true, Loops: 1, SeriesStart: start, Seed: uint64(i + 1)}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
		addr = s.Addr() // the second worker joins the first one's port
		workers = append(workers, s)
	}
	g := &Group{}
	for _, w := range workers {
		g.Workers = append(g.Workers, &ControlClient{Base: "http://" + w.ControlAddr(), Token: "tok"})
	}
	for i := 0; i < 40; i++ {
		dial(t, workers[0], "") // closed by the test's cleanup
	}
	deadline := time.Now().Add(5 * time.Second)
	for workers[0].Stats().Counters.Open+workers[1].Stats().Counters.Open != 40 {
		if time.Now().After(deadline) {
			t.Fatal("connections not registered")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if workers[0].Stats().Counters.Open == 0 || workers[1].Stats().Counters.Open == 0 {
		t.Fatalf("SO_REUSEPORT did not spread connections: %d / %d", workers[0].Stats().Counters.Open, workers[1].Stats().Counters.Open)
	}
	r, err := g.Fault(context.Background(), FaultRequest{Kind: fault.Abort, Fraction: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Affected != 40 {
		t.Fatalf("affected %d, want 40", r.Affected)
	}
	seriesHandshakes := func(st Stats) float64 {
		var hs float64
		for _, row := range st.Series.Rows {
			hs += row[2]
		}
		return hs
	}
	eventually(t, func() bool {
		st := g.Stats()
		return st.Counters.Open == 0 && seriesHandshakes(st) == 40
	}, "every aborted connection gone and the series sampled")
	st := g.Stats()
	if st.Workers != 2 || st.Counters.Handshakes != 40 || st.Counters.DisconnectCauses["fault"] != 40 || st.Counters.Open != 0 {
		t.Fatalf("merged stats: workers %d handshakes %d faults %v open %d", st.Workers, st.Counters.Handshakes, st.Counters.DisconnectCauses, st.Counters.Open)
	}
	var hs float64
	for _, row := range st.Series.Rows {
		hs += row[2]
	}
	if hs != 40 {
		t.Fatalf("merged series handshakes %v, want 40", hs)
	}
	if len(st.Process.PIDs) != 2 {
		t.Fatalf("pids %v", st.Process.PIDs)
	}
}
