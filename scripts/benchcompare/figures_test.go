package main

import (
	"encoding/json"
	"math"
	"testing"
)

// TestFigures reads every figure from a summary.json and config.json as
// stormbench writes them, and reports a figure the run lacks as missing
// rather than as zero.
func TestFigures(t *testing.T) {
	const summary = `{
	  "harness": {"peak_rss_bytes": 60000000, "peak_anon_bytes": 30000000, "file_rss_bytes": 15000000, "cpu_seconds": 12,
	    "phases": [
	      {"name": "ramp", "start_s": 0.5, "end_s": 10.5, "timer_lateness_ms": {"p99": 4.5}},
	      {"name": "hold", "start_s": 10.5, "end_s": 70.5, "timer_lateness_ms": {"p99": 2.5}},
	      {"name": "storm-1", "start_s": 70.5, "end_s": 80, "timer_lateness_ms": {"p99": 30}},
	      {"name": "storm-2", "start_s": 80, "end_s": 90, "timer_lateness_ms": {"p99": 45}}]},
	  "heartbeat": {"frames_sent": 60000, "frames_received": 60000},
	  "storms": [{"recovery_ms": {"p99": 1200}}]}`
	const config = `{"loadgen": {"clients": 100000}}`
	var s, c map[string]any
	if json.Unmarshal([]byte(summary), &s) != nil || json.Unmarshal([]byte(config), &c) != nil {
		t.Fatal("bad test JSON")
	}
	want := map[string]float64{
		"hold lateness p99":       2.5,
		"storm lateness p99":      45, // the worst storm
		"ramp connect rate":       10000,
		"peak RSS per client":     600,
		"memory per client":       450, // own memory + the executable once
		"CPU per heartbeat frame": 100,
		"storm recovery p99":      1200,
	}
	for _, f := range figures {
		got, ok := f.read(s, c)
		if w, known := want[f.name]; !known || !ok || math.Abs(got-w) > 1e-9 {
			t.Errorf("%s: %v (read %v), want %v", f.name, got, ok, w)
		}
	}
	empty := map[string]any{}
	for _, f := range figures {
		if _, ok := f.read(empty, empty); ok {
			t.Errorf("%s: read from an empty summary", f.name)
		}
	}
}

// TestSpread: medians and ranges in plain digits, three significant ones
// below 1 000.
func TestSpread(t *testing.T) {
	if got, want := spread([]float64{4669.4, 5918.7, 8810.2}, "ms"), "5919 ms [4669–8810]"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := spread([]float64{3.561, 59.2, 7.6}, "ms"), "7.6 ms [3.56–59.2]"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
