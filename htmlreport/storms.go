package htmlreport

import (
	"fmt"

	"github.com/stormbench/stormbench/reporter"
)

// stormTable is the per-storm summary: one row per figure, one column per
// storm, because a run has few storms and many figures.
type stormTable struct {
	Storms []string
	Rows   []stormRow
}

// stormRow is one figure of every storm.
type stormRow struct {
	Label string
	// Help defines the figure in a tooltip, for readers who do not know
	// the terms of docs/metrics.md.
	Help  string
	Cells []string
}

// stormFigure is one row of the table: how to compute it from a storm,
// and when it has something to say (nil: always).
type stormFigure struct {
	label, help string
	value       func(st reporter.StormSummary) string
	shown       func(sum *reporter.Summary) bool
}

// readyOnly shows the ready rows when some storm's clients became ready
// later than they opened (a framework's join): otherwise they repeat the
// open rows.
func readyOnly(sum *reporter.Summary) bool {
	for i := range sum.Storms {
		if sum.Storms[i].ReadyDiffers() {
			return true
		}
	}
	return false
}

// stormFigures are the rows of the storm table, in reading order.
var stormFigures = []stormFigure{
	{"fault", "the disruption applied at T0", func(st reporter.StormSummary) string { return orDash(st.Fault) }, nil},
	{"T0", "when the fault was applied, seconds since the run started", func(st reporter.StormSummary) string { return seconds(st.T0) }, nil},
	{"window end", "when the storm's window closed: every affected client back, or the recover timeout", func(st reporter.StormSummary) string {
		s := seconds(st.End)
		if st.TimedOut {
			s += " (timed out)"
		}
		return s
	}, nil},
	{"affected", "connections the fault hit", func(st reporter.StormSummary) string { return count(st.Affected) }, nil},
	{"detected", "affected clients that declared their connection dead", func(st reporter.StormSummary) string { return count(st.Detected) }, nil},
	{"recovered", "affected clients back within the window, as a share of the affected", func(st reporter.StormSummary) string {
		if st.Incomplete {
			return dash + " (incomplete)"
		}
		return fmt.Sprintf("%s (%s)", percent(st.Recovered, st.Affected), count(st.Recovered))
	}, nil},
	{"detect p50 / p99", "T0 → the client declares its connection dead", func(st reporter.StormSummary) string {
		return quant(st.Detected, st.DetectMs.P50, st.DetectMs.P99)
	}, nil},
	{"recovery p50 / p90", "T0 → the moment 50 % / 90 % of the affected clients are open again (— when fewer recovered)", func(st reporter.StormSummary) string {
		r := st.RecoveryMs
		if r == nil {
			return dash
		}
		return msPtr(r.P50) + " / " + msPtr(r.P90)
	}, nil},
	{"recovery p99 / p100", "T0 → the moment 99 % / all of the affected clients are open again (— when fewer recovered)", func(st reporter.StormSummary) string {
		r := st.RecoveryMs
		if r == nil {
			return dash
		}
		return msPtr(r.P99) + " / " + msPtr(r.P100)
	}, nil},
	{"ready again", "affected clients ready again: joined (a framework's protocol) or open (stormbench's)", func(st reporter.StormSummary) string {
		if st.Incomplete {
			return dash + " (incomplete)"
		}
		return fmt.Sprintf("%s (%s)", percent(st.Ready, st.Affected), count(st.Ready))
	}, readyOnly},
	{"recovery to ready p50 / p99", "T0 → the moment 50 % / 99 % of the affected clients are ready again: joined, not just upgraded (— when fewer recovered)", func(st reporter.StormSummary) string {
		r := st.RecoveryReadyMs
		if r == nil {
			return dash
		}
		return msPtr(r.P50) + " / " + msPtr(r.P99)
	}, readyOnly},
	{"outage p99", "T0 → a client's next successful handshake, 99th percentile over clients", func(st reporter.StormSummary) string {
		return quant(st.Recovered, st.OutageMs.P99)
	}, nil},
	{"peak attempts/s", "the highest fleet-wide attempt count of a 100 ms interval in the window, per second", func(st reporter.StormSummary) string { return rate(st.PeakAttemptsPerS) }, nil},
	{"attempts", "attempts of affected clients between detection and recovery", func(st reporter.StormSummary) string { return count(st.Attempts) }, nil},
	{"failed attempts", "attempts − recovered", func(st reporter.StormSummary) string { return count(st.FailedAttempts) }, nil},
	{"messages lost", "gaps in the broadcast sequence attributed to the storm", func(st reporter.StormSummary) string { return count(st.MessagesLost) }, nil},
}

// quant formats latency quantiles, or — when nothing was measured (a
// percentile of no values is not zero).
func quant(n int64, vs ...float64) string {
	s := ""
	for i, v := range vs {
		if i > 0 {
			s += " / "
		}
		if n == 0 {
			s += dash
		} else {
			s += ms(v)
		}
	}
	return s
}

// storms builds the storm table of sum.
func storms(sum *reporter.Summary) stormTable {
	var t stormTable
	for i := range sum.Storms {
		name := fmt.Sprintf("storm %d", i+1)
		if sum.Storms[i].Observed {
			name += " (observed)"
		}
		t.Storms = append(t.Storms, name)
	}
	for _, f := range stormFigures {
		if f.shown != nil && !f.shown(sum) {
			continue
		}
		row := stormRow{Label: f.label, Help: f.help}
		for _, st := range sum.Storms {
			row.Cells = append(row.Cells, f.value(st))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}
