package main

import (
	"testing"
	"time"
)

// TestDeadlineCountsFromTheRampsEnd: pings start after the ramp, so the
// heartbeat deadline of a client that opened early in a long ramp counts
// from the ramp's end, not from its open; one silent for Timeout after
// that is dead.
func TestDeadlineCountsFromTheRampsEnd(t *testing.T) {
	cfg := childConfig{N: 50000, Procs: 1, Rate: 1000, Interval: 10 * time.Second, Timeout: 30 * time.Second,
		Addr: "127.0.0.1:1", T0: time.Now().UnixNano()}
	f, err := newFleet(cfg)
	if err != nil {
		t.Fatal(err)
	}
	end := f.rampEnd // 50 s after T0
	tests := []struct {
		name     string
		open, at time.Duration
		dead     bool
	}{
		{"opened at the start, checked before the ramp ends + timeout", f.t0, end + 29*time.Second, false},
		{"opened at the start, silent until ramp end + timeout", f.t0, end + 30*time.Second, true},
		{"opened after the ramp, checked before its timeout", end + 5*time.Second, end + 34*time.Second, false},
		{"opened after the ramp, silent for the timeout", end + 5*time.Second, end + 35*time.Second, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c core
			c.init(f, 7)
			c.attempt(tt.open)
			c.opened(tt.open)
			if c.sched < max(tt.open, end) || c.sched >= max(tt.open, end)+cfg.Interval {
				t.Errorf("first ping at %v, want within an interval after %v", c.sched, max(tt.open, end))
			}
			if got := c.deadlineDue(tt.at); got != tt.dead {
				t.Errorf("deadlineDue(%v) = %v, want %v", tt.at, got, tt.dead)
			}
		})
	}
}
