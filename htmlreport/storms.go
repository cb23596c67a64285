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

// stormFigure is one row of the table: how to compute it from a storm.
type stormFigure struct {
	label, help string
	value       func(st reporter.StormSummary) string
}

// stormFigures are the rows of the storm table, in reading order.
var stormFigures = []stormFigure{
	{"fault", "the disruption applied at T0", func(st reporter.StormSummary) string { return orDash(st.Fault) }},
	{"T0", "when the fault was applied, seconds since the run started", func(st reporter.StormSummary) string { return seconds(st.T0) }},
	{"window end", "when the storm's window closed: every affected client back, or the recover timeout", func(st reporter.StormSummary) string {
		s := seconds(st.End)
		if st.TimedOut {
			s += " (timed out)"
		}
		return s
	}},
	{"affected", "connections the fault hit", func(st reporter.StormSummary) string { return count(st.Affected) }},
	{"detected", "affected clients that declared their connection dead", func(st reporter.StormSummary) string { return count(st.Detected) }},
	{"recovered", "affected clients back within the window, as a share of the affected", func(st reporter.StormSummary) string {
		if st.Incomplete {
			return dash + " (incomplete)"
		}
		return fmt.Sprintf("%s (%s)", percent(st.Recovered, st.Affected), count(st.Recovered))
	}},
	{"detect p50 / p99", "T0 → the client declares its connection dead", func(st reporter.StormSummary) string {
		return quant(st.Detected, st.DetectMs.P50, st.DetectMs.P99)
	}},
	{"recovery p50 / p90", "T0 → the moment 50 % / 90 % of the affected clients are open again (— when fewer recovered)", func(st reporter.StormSummary) string {
		r := st.RecoveryMs
		if r == nil {
			return dash
		}
		return msPtr(r.P50) + " / " + msPtr(r.P90)
	}},
	{"recovery p99 / p100", "T0 → the moment 99 % / all of the affected clients are open again (— when fewer recovered)", func(st reporter.StormSummary) string {
		r := st.RecoveryMs
		if r == nil {
			return dash
		}
		return msPtr(r.P99) + " / " + msPtr(r.P100)
	}},
	{"outage p99", "T0 → a client's next successful handshake, 99th percentile over clients", func(st reporter.StormSummary) string {
		return quant(st.Recovered, st.OutageMs.P99)
	}},
	{"peak attempts/s", "the highest fleet-wide attempt count of a 100 ms interval in the window, per second", func(st reporter.StormSummary) string { return rate(st.PeakAttemptsPerS) }},
	{"attempts", "attempts of affected clients between detection and recovery", func(st reporter.StormSummary) string { return count(st.Attempts) }},
	{"failed attempts", "attempts − recovered", func(st reporter.StormSummary) string { return count(st.FailedAttempts) }},
	{"messages lost", "gaps in the broadcast sequence attributed to the storm", func(st reporter.StormSummary) string { return count(st.MessagesLost) }},
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
		row := stormRow{Label: f.label, Help: f.help}
		for _, st := range sum.Storms {
			row.Cells = append(row.Cells, f.value(st))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}
