package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/stormbench/stormbench/reporter"
)

// TestThresholds: thresholds are tested after the results are written;
// a broken one exits 1 naming what was measured, and every outcome is in
// summary.json.
func TestThresholds(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	tests := []struct {
		name       string
		thresholds []string
		code       int
		broken     []string
	}{
		{"all met", []string{"recovered_pct>=100", "messages_lost==0", "recovery_p99<30s", "gave_up==0"}, exitOK, nil},
		{"two broken", []string{"recovery_p100<1ms", "peak_attempts_per_s<1", "recovered_pct>=100"}, exitThresholds,
			[]string{"recovery_p100<1ms", "peak_attempts_per_s<1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			args := []string{"run", "--quiet", "--out", out, "--clients", "200", "--ramp-rate", "2000", "--hold", "500ms",
				"--fault", "close", "--backoff-base", "100ms", "--heartbeat-interval", "1s", "--server-broadcast-interval", "100ms"}
			for _, th := range tt.thresholds {
				args = append(args, "--threshold", th)
			}
			var so, se bytes.Buffer
			err := dispatch(context.Background(), args, &so, &se)
			if code := exitCode(err, &se); code != tt.code {
				t.Fatalf("exit %d (%v), want %d\n%s", code, err, tt.code, se.String())
			}
			_, sum := onlyResults(t, out)
			if len(sum.Thresholds) != len(tt.thresholds) {
				t.Fatalf("summary.json has %d thresholds, want %d", len(sum.Thresholds), len(tt.thresholds))
			}
			var broken []string
			for _, o := range sum.BrokenThresholds() {
				broken = append(broken, o.Threshold)
				if !strings.Contains(se.String(), o.Threshold+": measured "+o.Measured) {
					t.Errorf("stderr does not name %s with its measured %s:\n%s", o.Threshold, o.Measured, se.String())
				}
			}
			if strings.Join(broken, ",") != strings.Join(tt.broken, ",") {
				t.Fatalf("broken %v, want %v", broken, tt.broken)
			}
			if !strings.Contains(so.String(), "thresholds") {
				t.Errorf("printed summary has no thresholds block")
			}
		})
	}
}

// TestREADMEListsFigures: every figure a threshold can test is in the
// table of docs/commands.md (Thresholds).
func TestREADMEListsFigures(t *testing.T) {
	b, err := os.ReadFile("../../docs/commands.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range reporter.Figures() {
		if !strings.Contains(string(b), "| `"+f.String()+"` |") {
			t.Errorf("the figure table of docs/commands.md (Thresholds) misses %s", f)
		}
	}
}
