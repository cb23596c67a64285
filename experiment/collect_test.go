package experiment

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stormbench/stormbench/loadgen"
	"github.com/stormbench/stormbench/reporter"
)

// testFleet starts a fleet of 4 clients (never started: the books are
// what is tested) in this process or in workers.
func testFleet(t *testing.T, workers int) (*fleetRun, *supervisor) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	sup, _ := newTestSupervisor()
	cfg := loadgen.Config{URL: "ws://" + deadAddr(t) + "/ws", Clients: 4, Loops: 1}.Resolve()
	p := &Plan{Spec: Spec{Workers: workers, Exe: exe, RunID: "run-1", Stderr: &syncBuffer{}}}
	fr, err := startFleet(p, cfg, time.Now(), sup)
	if err != nil {
		t.Fatal(err)
	}
	procs := 0
	if workers > 1 {
		procs = workers
	}
	if (fr.local != nil) != (workers <= 1) || len(fr.workers) != procs {
		t.Fatalf("%d workers asked: local %v, %d worker processes", workers, fr.local != nil, len(fr.workers))
	}
	return fr, sup
}

// TestCollect: the events and the reason the run is partial go into the
// results; a worker that died is named, its clients missing, and the
// others' results are kept.
func TestCollect(t *testing.T) {
	ev := Event{Kind: EventServerExited, Process: "embedded server (pid 1)", Detail: "signal: killed", At: time.Second}
	tests := []struct {
		name        string
		workers     int
		events      []Event
		reason      string
		kill        int // the worker to kill first, -1: none
		wantErr     string
		wantMissing int
	}{
		{"in this process, complete", 1, nil, "", -1, "", 0},
		{"in this process, ended early", 1, []Event{ev}, "the run ended early: server_exited", -1, "", 0},
		{"two workers", 2, nil, "", -1, "", 0},
		{"two workers, one died", 2, nil, "", 1, "left no results", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fr, _ := testFleet(t, tt.workers)
			if tt.kill >= 0 {
				fr.workers[tt.kill].kill(false)
			}
			_ = fr.ctl.Close() // what the scenario does last
			shard, err := collect(fr, tt.events, tt.reason)
			if shard == nil {
				t.Fatalf("no shard (%v)", err)
			}
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err %v, want %q", err, tt.wantErr)
			}
			sum := reporter.Summarize(shard, reporter.SummaryOptions{})
			if len(sum.MissingShards) != tt.wantMissing {
				t.Errorf("missing shards %v, want %d", sum.MissingShards, tt.wantMissing)
			}
			partial := tt.reason != "" || tt.wantMissing > 0
			if sum.Partial != partial || tt.reason != "" && !contains(sum.PartialReasons, tt.reason) {
				t.Errorf("partial %v %q, want %v with %q", sum.Partial, sum.PartialReasons, partial, tt.reason)
			}
			if len(sum.Events) != len(tt.events) || len(tt.events) > 0 && sum.Events[0].Kind != ev.Kind {
				t.Errorf("events %+v, want %+v", sum.Events, tt.events)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
