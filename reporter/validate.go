package reporter

import (
	"fmt"
	"strings"

	"github.com/stormbench/stormbench/internal/measure"
)

// Validate reports whether sum is a stormbench summary that can be
// printed: it has a start, harness processes and an interval, no negative
// counts, attempts = connects + failures, and its storms in order. The error
// lists every problem found.
func (sum *Summary) Validate() error {
	var bad []string
	badf := func(format string, a ...any) { bad = append(bad, fmt.Sprintf(format, a...)) }
	if sum.Format > SummaryFormat {
		badf("format %d is newer than this stormbench reads (up to %d)", sum.Format, SummaryFormat)
	}
	if sum.StartedAt.IsZero() {
		badf("no started_at")
	}
	if sum.Harness.Processes < 1 {
		badf("no harness processes (harness.processes %d)", sum.Harness.Processes)
	}
	if sum.IntervalS <= 0 {
		badf("no time-series interval (interval_s %v)", sum.IntervalS)
	}
	if sum.DurationS < 0 {
		badf("negative duration_s %v", sum.DurationS)
	}
	c := sum.Counters
	for _, col := range measure.Columns() {
		if v := c.Get(col); v < 0 {
			badf("negative counters.%s %d", col, v)
		}
	}
	for _, f := range measure.Families() {
		for k, v := range c.Keys(f) {
			if v < 0 {
				badf("negative count %d for %q", v, k)
			}
		}
	}
	if a, cn, f := c.Get(measure.Attempts), c.Get(measure.Connects), c.Get(measure.Failures); a != cn+f {
		badf("attempts %d ≠ connects %d + failures %d", a, cn, f)
	}
	prev := -1.0
	for i, st := range sum.Storms {
		if st.Index != i {
			badf("storm %d has index %d: storms out of order", i, st.Index)
		}
		// A storm without the coordinator's facts (no fault, t0 0) cannot
		// be placed in time.
		if st.Fault != "" {
			if st.T0 < prev {
				badf("storm %d starts at %vs, before an earlier storm (%vs): storms out of order", i, st.T0, prev)
			}
			prev = st.T0
		}
		if st.End < st.T0 {
			badf("storm %d ends (%vs) before its t0 (%vs)", i, st.End, st.T0)
		}
		if st.Affected < 0 || st.Detected < 0 || st.Recovered < 0 || st.Attempts < 0 || st.MessagesLost < 0 {
			badf("storm %d has negative counts", i)
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("not a valid stormbench summary: %s", strings.Join(bad, "; "))
	}
	return nil
}
