package main

import (
	"math"
	"testing"

	"github.com/stormbench/stormbench/internal/measure"
)

// TestServerRetryAfter: the embedded server's --server-retry-after reaches
// the clients refused for --server-max-conns, and --respect-retry-after
// makes each wait that long: a refused client retries at most once per
// Retry-After over the run, where its own 50–100 ms backoff alone would
// retry dozens of times.
func TestServerRetryAfter(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	tests := []struct {
		name  string
		after float64 // seconds
	}{
		{"1s", 1},
		{"2s", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, sum, _ := runE2E(t, "--clients", "20", "--ramp-rate", "1000", "--server-max-conns", "10",
				"--respect-retry-after", "--server-retry-after", tt.name, "--backoff-base", "50ms", "--backoff-max", "100ms",
				"--fault", "none", "--hold", "0s", "--recover-timeout", "3s", "--server-broadcast-interval", "0")
			c := sum.Counters
			refused := c.Keys(measure.FailureCauses)["unavailable"]
			// Each of the 10 refused clients: a first attempt, then one per
			// Retry-After for as long as the run lasted.
			most := int64(10 * (1 + math.Ceil(sum.DurationS/tt.after)))
			if c.Get(measure.Connects) != 10 || refused < 10 || refused > most || c.Get(measure.RetryAfterSeen) != refused || c.Get(measure.RetryAfterHonoured) < refused-10 {
				t.Fatalf("connects %d, refused %d (at most %d over %.1fs), Retry-After seen %d, honoured %d",
					c.Get(measure.Connects), refused, most, sum.DurationS, c.Get(measure.RetryAfterSeen), c.Get(measure.RetryAfterHonoured))
			}
		})
	}
}
