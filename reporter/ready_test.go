package reporter

import "testing"

func TestReadyDiffers(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	rec := func(p50, p99 float64) *Recovery {
		return &Recovery{P50: f(p50), P90: f(p50), P99: f(p99), P100: f(p99)}
	}
	tests := []struct {
		name string
		st   StormSummary
		want bool
	}{
		{"stormbench: ready when open", StormSummary{Recovered: 10, Ready: 10, RecoveryMs: rec(100, 200), RecoveryReadyMs: rec(100, 200)}, false},
		{"a join after the upgrade", StormSummary{Recovered: 10, Ready: 10, RecoveryMs: rec(100, 200), RecoveryReadyMs: rec(120, 260)}, true},
		{"some never ready", StormSummary{Recovered: 10, Ready: 7, RecoveryMs: rec(100, 200), RecoveryReadyMs: &Recovery{P50: f(100)}}, true},
		{"incomplete", StormSummary{Recovered: 10}, false},
		{"written before ready existed", StormSummary{Recovered: 10, RecoveryMs: rec(100, 200)}, false},
	}
	for _, tt := range tests {
		if got := tt.st.ReadyDiffers(); got != tt.want {
			t.Errorf("%s: ReadyDiffers = %v, want %v", tt.name, got, tt.want)
		}
	}
}
