package experiment

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/stormbench/stormbench/loadgen"
)

func TestLayOut(t *testing.T) {
	now := time.Date(2026, 11, 23, 6, 16, 16, 0, time.UTC)
	at := now.Add(time.Minute)
	tests := []struct {
		name      string
		spec      Spec
		wantDir   string
		wantStart time.Time
	}{
		{"stamped folder", Spec{Out: "results", Name: "abort-full"}, filepath.Join("results", "20261123-061616-abort-full"), now},
		{"a sweep's folder", Spec{Out: "results", Name: "abort-full", Dir: "sweep/r1"}, "sweep/r1", now},
		{"timetable", Spec{Out: "out", Name: "x", StartAt: at}, filepath.Join("out", "20261123-061616-x"), at},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := layOut(&Plan{Spec: tt.spec}, now)
			if l.dir != tt.wantDir || !l.started.Equal(now) || !l.start.Equal(tt.wantStart) {
				t.Fatalf("layout %+v, want dir %s, start %v", l, tt.wantDir, tt.wantStart)
			}
		})
	}
	l := layOut(&Plan{Spec: Spec{StartAt: time.Now().Add(time.Hour)}}, time.Now())
	if c := l.clock()(); c > -59*time.Minute || c < -61*time.Minute {
		t.Fatalf("clock %v an hour before the timetable's start, want ≈ −1h", c)
	}
}

// TestWaitForStart: a timetable's wait ends at its instant, or at once
// with the reason when the run ends first.
func TestWaitForStart(t *testing.T) {
	user, cancelUser := context.WithCancel(context.Background())
	cancelUser()
	harness, failHarness := context.WithCancelCause(context.Background())
	failHarness(&HarnessError{Event: Event{Kind: EventWorkerExited}})
	var he *HarnessError
	tests := []struct {
		name string
		ctx  context.Context
		at   time.Time
		ok   func(error) bool
	}{
		{"no timetable", context.Background(), time.Time{}, func(err error) bool { return err == nil }},
		{"instant passed", context.Background(), time.Now().Add(-time.Second), func(err error) bool { return err == nil }},
		{"instant soon", context.Background(), time.Now().Add(20 * time.Millisecond), func(err error) bool { return err == nil }},
		{"Ctrl-C", user, time.Now().Add(time.Hour), func(err error) bool { return errors.Is(err, ErrInterrupted) }},
		{"harness failed", harness, time.Now().Add(time.Hour), func(err error) bool { return errors.As(err, &he) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan struct{})
			var err error
			go func() {
				defer close(done)
				err = waitForStart(tt.ctx, io.Discard, tt.at, loadgen.Shard{Index: 0, Count: 2})
			}()
			within(t, 10*time.Second, "waitForStart", done)
			if !tt.ok(err) {
				t.Fatalf("err %v", err)
			}
		})
	}
}

func TestPhaseName(t *testing.T) {
	var p phaseName
	if got := p.get(); got != "" {
		t.Fatalf("before the ramp %q", got)
	}
	p.set("storm-1")
	if got := p.get(); got != "storm-1" {
		t.Fatalf("got %q", got)
	}
}
