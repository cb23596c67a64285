package loadgen_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/measure"

	"github.com/stormbench/stormbench/loadgen"
	"github.com/stormbench/stormbench/reporter"
	sut "github.com/stormbench/stormbench/server-under-test"
)

// serverInjector applies server-side faults on an in-process server.
type serverInjector struct{ s *sut.Server }

func (in serverInjector) Inject(ctx context.Context, _ int, f loadgen.Fault) (loadgen.Injected, error) {
	r, err := in.s.Fault(ctx, sut.FaultRequest{Kind: f.Kind, Fraction: f.Fraction, DurationMs: f.Duration.Milliseconds()})
	return loadgen.Injected{T0: time.Unix(0, r.T0UnixNs), Affected: r.Affected}, err
}

func startServer(t *testing.T, cfg sut.Config) *sut.Server {
	t.Helper()
	cfg.Listen, cfg.Control = "127.0.0.1:0", "127.0.0.1:0"
	s, err := sut.New(cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	return s
}

// runFleet runs one scenario against s and returns the summary and the
// fleet's last status.
func runFleet(t *testing.T, s *sut.Server, cfg loadgen.Config) (*reporter.Summary, loadgen.Status) {
	t.Helper()
	cfg.URL = "ws://" + s.Addr() + "/ws"
	cfg = cfg.Resolve()
	start := time.Now()
	clock := func() time.Duration { return time.Since(start) }
	rec := reporter.NewRecorder(reporter.Options{Start: start})
	f, err := loadgen.NewFleet(cfg, rec, clock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = loadgen.Run(ctx, cfg, f, rec, loadgen.Options{Start: start, Clock: clock, Injector: serverInjector{s}})
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.Status()
	if err != nil {
		t.Fatal(err)
	}
	return reporter.Summarize(rec.Snapshot(clock()), reporter.SummaryOptions{}), st
}

func TestFleetStorms(t *testing.T) {
	if testing.Short() {
		t.Skip("real loopback storms take seconds")
	}
	tests := []struct {
		name     string
		fault    loadgen.Fault
		affected int64
	}{
		{"client reset half", loadgen.Fault{Kind: loadgen.FaultReset, Fraction: 0.5}, 300},
		{"server abort 30%", loadgen.Fault{Kind: loadgen.FaultAbort, Fraction: 0.3}, 180},
		{"two close storms", loadgen.Fault{Kind: loadgen.FaultClose, Storms: 2}, 600},
		// Silent: only the heartbeat deadline (armed after the in-loop dial) finds it.
		{"server blackhole", loadgen.Fault{Kind: loadgen.FaultBlackhole, Duration: 2 * time.Second}, 600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, sut.Config{BroadcastInterval: 50 * time.Millisecond})
			// A window that does not close in 8s (storms here recover in
			// well under a second) ends as timed out, with its figures,
			// before the run's own 30s limit.
			tt.fault.RecoverTimeout = 8 * time.Second
			sum, st := runFleet(t, s, loadgen.Config{Clients: 600, RampRate: 3000, Hold: 300 * time.Millisecond, Fault: tt.fault,
				Policy:    loadgen.Policy{Base: 50 * time.Millisecond, Max: time.Second},
				Heartbeat: loadgen.Heartbeat{Interval: 200 * time.Millisecond, Timeout: 600 * time.Millisecond}})
			if st.InvalidTransitions != 0 {
				t.Fatalf("%d invalid state transitions", st.InvalidTransitions)
			}
			if want := max(tt.fault.Storms, 1); len(sum.Storms) != want {
				// Say where the missing storm's predecessor stood: a
				// window that timed out names the clients it waited for.
				for _, storm := range sum.Storms {
					t.Logf("storm %d: affected %d detected %d recovered %d timed out %v",
						storm.Index, storm.Affected, storm.Detected, storm.Recovered, storm.TimedOut)
				}
				t.Fatalf("%d storms, want %d (fleet: %+v)", len(sum.Storms), want, st)
			}
			for _, storm := range sum.Storms {
				if storm.Affected != tt.affected || storm.Recovered != tt.affected || storm.Detected != tt.affected {
					t.Fatalf("storm %d: affected %d detected %d recovered %d, want %d", storm.Index, storm.Affected, storm.Detected, storm.Recovered, tt.affected)
				}
			}
			if sum.Counters.Get(measure.MessagesLost) != 0 || sum.Counters.Get(measure.MessagesDuplicated) != 0 {
				t.Fatalf("lost %d duplicated %d", sum.Counters.Get(measure.MessagesLost), sum.Counters.Get(measure.MessagesDuplicated))
			}
		})
	}
}

// TestResumeOffCountsLoss: without resume, messages broadcast while a
// client was away are lost, and the loss is counted.
func TestResumeOffCountsLoss(t *testing.T) {
	s := startServer(t, sut.Config{BroadcastInterval: 20 * time.Millisecond})
	off := false
	sum, _ := runFleet(t, s, loadgen.Config{Clients: 100, RampRate: 2000, Hold: 200 * time.Millisecond, Resume: &off,
		Fault:  loadgen.Fault{Kind: loadgen.FaultReset},
		Policy: loadgen.Policy{Jitter: loadgen.JitterNone, Base: 300 * time.Millisecond}})
	if sum.Counters.Get(measure.MessagesLost) < 100*5 {
		t.Fatalf("lost %d messages, want ≥ 500 (100 clients × ≥ 300ms away at 20ms)", sum.Counters.Get(measure.MessagesLost))
	}
}
