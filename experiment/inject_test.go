package experiment

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/loadgen"
	sut "github.com/stormbench/stormbench/server-under-test"
)

// TestNewInjector: the scenario gets an injector when the run can apply
// a fault the fleet cannot apply itself; on a timetable only shard 0.
func TestNewInjector(t *testing.T) {
	ctl := func() *sut.ControlClient { return &sut.ControlClient{} }
	tests := []struct {
		name  string
		srv   serverSide
		kind  loadgen.FaultKind
		shard int
		want  bool
	}{
		{"embedded server", serverSide{emb: &embedded{}, ctl: ctl}, loadgen.FaultCrash, 0, true},
		{"control API", serverSide{ctl: ctl}, loadgen.FaultClose, 0, true},
		{"--url alone", serverSide{}, loadgen.FaultReset, 0, false},
		{"--url alone, server-side kind", serverSide{}, loadgen.FaultClose, 0, false},
		{"exec, shard 0", serverSide{}, loadgen.FaultExec, 0, true},
		{"exec, shard 1", serverSide{}, loadgen.FaultExec, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := loadgen.Config{Fault: loadgen.Fault{Kind: tt.kind}, Shard: loadgen.Shard{Index: tt.shard, Count: 2}}
			inj := newInjector(cfg, &tt.srv, t.TempDir(), nil, false)
			if (inj != nil) != tt.want {
				t.Fatalf("injector %v, want one: %v", inj, tt.want)
			}
		})
	}
}

// TestInject applies faults through a real server's control API, a
// command, and refuses what it has nothing to apply with.
func TestInject(t *testing.T) {
	srv, token := startSUT(t)
	ctl := &sut.ControlClient{Base: "http://" + srv.ControlAddr(), Token: token}
	for i := 0; i < 2; i++ {
		c, _, _, err := ws.Dial(context.Background(), "ws://"+srv.Addr()+"/ws")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	for deadline := time.Now().Add(10 * time.Second); srv.Stats().Counters.Open < 2; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the server holds %d connections, want 2", srv.Stats().Counters.Open)
		}
	}
	tests := []struct {
		name         string
		inj          *injector
		fault        loadgen.Fault
		wantErr      string
		wantAffected int
	}{
		{"close through the control API", &injector{ctl: func() *sut.ControlClient { return ctl }}, loadgen.Fault{Kind: loadgen.FaultClose, Fraction: 1}, "", 2},
		{"command", &injector{}, loadgen.Fault{Kind: loadgen.FaultExec, Command: "echo deployed"}, "", -1},
		{"crash without the embedded server", &injector{ctl: func() *sut.ControlClient { return ctl }}, loadgen.Fault{Kind: loadgen.FaultCrash}, "embedded server", 0},
		{"server-side kind without a control API", &injector{}, loadgen.Fault{Kind: loadgen.FaultAbort, Fraction: 1}, "--control", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.inj.dir, tt.inj.stderr = t.TempDir(), &syncBuffer{}
			before := time.Now()
			got, err := tt.inj.Inject(context.Background(), 0, tt.fault)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Affected != tt.wantAffected || got.T0.Before(before.Add(-time.Second)) || got.T0.After(time.Now()) {
				t.Fatalf("injected %+v (T0 %v after the call began), want %d affected", got, got.T0.Sub(before), tt.wantAffected)
			}
			if got.Process != nil {
				within(t, 10*time.Second, "command", got.Process.Done())
				if b, err := os.ReadFile(filepath.Join(tt.inj.dir, "fault-1.log")); err != nil || !strings.Contains(string(b), "deployed") {
					t.Fatalf("fault-1.log: %q, %v", b, err)
				}
			}
		})
	}
}

// TestInjectCrash: a crash goes to the embedded server, which comes back.
func TestInjectCrash(t *testing.T) {
	e, _, ctx := startTestEmbedded(t)
	inj := &injector{emb: e, ctl: e.control}
	got, err := inj.Inject(ctx, 0, loadgen.Fault{Kind: loadgen.FaultCrash, Duration: 10 * time.Millisecond})
	if err != nil || got.Affected != -1 {
		t.Fatalf("injected %+v, %v", got, err)
	}
	within(t, 30*time.Second, "restart", pendingDone(e))
	if e.Restarts() != 1 {
		t.Fatalf("restarts %d", e.Restarts())
	}
}
