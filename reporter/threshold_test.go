package reporter

import (
	"errors"
	"strings"
	"testing"

	"github.com/stormbench/stormbench/internal/measure"
)

func TestParseThreshold(t *testing.T) {
	tests := []struct {
		in    string
		fig   Figure
		op    Op
		limit float64
		err   string // substring of the error; "" = valid
	}{
		{"recovery_p99<10s", FigRecoveryP99, OpLess, 10000, ""},
		{" detect_p99 <= 4s ", FigDetectP99, OpLessEqual, 4000, ""},
		{"connect_p99<200ms", FigConnectP99, OpLess, 200, ""},
		{"peak_attempts_per_s<5000", FigPeakAttemptsPerS, OpLess, 5000, ""},
		{"messages_lost==0", FigMessagesLost, OpEqual, 0, ""},
		{"failed_attempts<100", FigFailedAttempts, OpLess, 100, ""},
		{"recovered_pct>=99.5%", FigRecoveredPct, OpGreaterEqual, 99.5, ""},
		{"recovered_pct>=100", FigRecoveredPct, OpGreaterEqual, 100, ""},
		{"saturated==false", FigSaturated, OpEqual, 0, ""},
		{"saturated!=true", FigSaturated, OpNotEqual, 1, ""},
		{"recovery_p99<10", 0, 0, 0, "write it with a unit"},
		{"recovery_p99<10parsecs", 0, 0, 0, "write it with a unit"},
		{"messages_lost==0ms", 0, 0, 0, "a number without a unit"},
		{"saturated<true", 0, 0, 0, "== or != only"},
		{"saturated==maybe", 0, 0, 0, "true or false"},
		{"recovery_p98<1s", 0, 0, 0, "unknown figure \"recovery_p98\""},
		{"recovery_p99", 0, 0, 0, "want figure<value"},
		{"recovery_p99<", 0, 0, 0, "no value"},
		{"messages_lost==NaN", 0, 0, 0, "a number without a unit"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseThreshold(tt.in)
			if tt.err != "" {
				if err == nil || !errors.Is(err, ErrThreshold) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil || got.Figure != tt.fig || got.Op != tt.op || got.Limit != tt.limit {
				t.Fatalf("got %+v, %v; want %v %v %v", got, err, tt.fig, tt.op, tt.limit)
			}
		})
	}
}

func TestThresholdCheck(t *testing.T) {
	p := func(v float64) *float64 { return &v }
	sum := &Summary{
		Storms: []StormSummary{
			{Affected: 100, Recovered: 100, Detected: 100, PeakAttemptsPerS: 4000, RecoveryMs: &Recovery{P50: p(800), P90: p(1500), P99: p(2500), P100: p(3000)}},
			{Affected: 100, Recovered: 90, Detected: 100, PeakAttemptsPerS: 6000, RecoveryMs: &Recovery{P50: p(900), P90: p(9000)}},
		},
		Counters:   CountersOf(map[measure.Column]int64{measure.MessagesLost: 3}),
		Histograms: map[string]HistogramSummary{"connect_latency": {Count: 10, P99: 150}},
		Harness:    HarnessSummary{Saturated: true},
	}
	tests := []struct {
		in       string
		broken   bool
		measured string
	}{
		{"peak_attempts_per_s<5000", true, "6000/s"}, // the worst storm counts
		{"peak_attempts_per_s<7000", false, "6000/s"},
		{"recovery_p50<1s", false, "900.0ms"},
		{"recovery_p99<10s", true, "none: a storm never reached it"},
		{"recovered_pct>=95", true, "90.0%"},
		{"messages_lost==0", true, "3"},
		{"connect_p99<200ms", false, "150.0ms"},
		{"rtt_p99<1s", true, "none: the run did not measure it"},
		{"saturated==false", true, "true"},
	}
	for _, tt := range tests {
		th, err := ParseThreshold(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		v := th.Check(sum)
		if v.Broken != tt.broken || v.Measured != tt.measured {
			t.Errorf("%s: broken %v measured %q, want %v %q", tt.in, v.Broken, v.Measured, tt.broken, tt.measured)
		}
	}
}
