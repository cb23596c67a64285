package experiment

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stormbench/stormbench/loadgen"
)

// TestStartServer: the run reaches the embedded server it starts, the
// user's control API from shard 0 only, or no control API at all.
func TestStartServer(t *testing.T) {
	srv, token := startSUT(t)
	tests := []struct {
		name     string
		spec     Spec
		embedded bool
		control  bool
	}{
		{"embedded server", quickSpec(t, "", loadgen.FaultClose), true, true},
		{"--url alone", quickSpec(t, "ws://"+srv.Addr()+"/ws", loadgen.FaultReset), false, false},
		{"--control", withControl(quickSpec(t, "ws://"+srv.Addr()+"/ws", loadgen.FaultClose), "http://"+srv.ControlAddr(), token, 0), false, true},
		{"--control, shard 1 of 2", withControl(quickSpec(t, "ws://"+srv.Addr()+"/ws", loadgen.FaultClose), "http://"+srv.ControlAddr(), token, 1), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := prepare(t, tt.spec)
			sup, ctx := newTestSupervisor()
			ss, err := startServer(ctx, p, sup)
			if err != nil {
				t.Fatal(err)
			}
			defer ss.stop()
			if (ss.emb != nil) != tt.embedded || (ss.ctl != nil) != tt.control {
				t.Fatalf("embedded %v control %v, want %v %v", ss.emb != nil, ss.ctl != nil, tt.embedded, tt.control)
			}
			if tt.embedded && !strings.HasPrefix(ss.emb.URL(), "ws://127.0.0.1:") {
				t.Errorf("embedded server's URL %q", ss.emb.URL())
			}
			st, err := ss.statsAtEnd(context.Background())
			if tt.control != (st != nil) || err != nil {
				t.Fatalf("stats %v, %v; want stats: %v", st, err, tt.control)
			}
			if ss.restarts() != 0 {
				t.Errorf("restarts %d", ss.restarts())
			}
		})
	}
}

func withControl(s Spec, control, token string, shard int) Spec {
	s.Control, s.ControlToken = control, token
	s.Loadgen.Shard = loadgen.Shard{Index: shard, Count: 2}
	return s
}

// TestStartServerInterrupted: Ctrl-C while the embedded server starts
// ends the run with ErrInterrupted.
func TestStartServerInterrupted(t *testing.T) {
	p := prepare(t, quickSpec(t, "", loadgen.FaultClose))
	sup, _ := newTestSupervisor()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ss, err := startServer(ctx, p, sup)
	if !errors.Is(err, ErrInterrupted) || ss != nil {
		t.Fatalf("startServer = %v, %v; want ErrInterrupted", ss, err)
	}
	if ev := sup.Events(); len(ev) != 0 {
		t.Fatalf("events %+v", ev)
	}
}

// TestStatsAtEndUnanswered: a control API that does not answer is an
// error (the run makes it a warning); a crashed embedded server is asked
// nothing.
func TestStatsAtEndUnanswered(t *testing.T) {
	t.Run("crashed embedded server", func(t *testing.T) {
		e, _, ctx := startTestEmbedded(t)
		if _, err := e.crash(ctx, time.Hour); err != nil {
			t.Fatal(err)
		}
		ss := &serverSide{emb: e, ctl: e.control}
		if st, err := ss.statsAtEnd(ctx); st != nil || err != nil {
			t.Fatalf("stats %v, err %v; want neither", st, err)
		}
	})
	p := prepare(t, withControl(quickSpec(t, "ws://"+deadAddr(t)+"/ws", loadgen.FaultClose), "http://"+deadAddr(t), "tok", 0))
	sup, ctx := newTestSupervisor()
	ss, err := startServer(ctx, p, sup)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	st, err := ss.statsAtEnd(ctx)
	if st != nil || err == nil {
		t.Fatalf("stats %v, err %v; want an error", st, err)
	}
	if d := time.Since(start); d > 12*time.Second {
		t.Errorf("took %v, want the fetch's own deadline (10s) at most", d)
	}
}
