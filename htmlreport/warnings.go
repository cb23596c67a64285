package htmlreport

import (
	"fmt"

	"github.com/stormbench/stormbench/reporter"
)

// verdictView is one phase's harness verdict as the page shows it.
type verdictView struct {
	Phase   string
	State   string
	Cause   string
	Affects string
	Remedy  string
	// Severe marks saturated and starved phases, whose figures describe
	// the harness; a burst is a note.
	Severe bool
}

// statusView is what makes a run's figures less than complete or less
// than the server's, shown at the top of the page.
type statusView struct {
	Saturated   bool
	Partial     bool
	Interrupted bool
	Reasons     []string
	Missing     []string // load-generator shards whose results are lost
	Events      []string
	Incomplete  []string // storms without recovery figures, with why
	Verdicts    []verdictView
	// Mismatch holds the warnings that the server did not understand the
	// clients' protocol (summary.json warnings).
	Mismatch []string
}

// Alarm reports whether the page must open with a warning.
func (s statusView) Alarm() bool {
	return s.Saturated || s.Partial || s.Interrupted || len(s.Mismatch) > 0
}

// Notes returns the verdicts that are notes (bursts), not warnings.
func (s statusView) Notes() []verdictView { return s.pick(false) }

// Warnings returns the saturated and starved verdicts.
func (s statusView) Warnings() []verdictView { return s.pick(true) }

func (s statusView) pick(severe bool) []verdictView {
	var out []verdictView
	for _, v := range s.Verdicts {
		if v.Severe == severe {
			out = append(out, v)
		}
	}
	return out
}

// status gathers sum's warnings and notes.
func status(sum *reporter.Summary) statusView {
	s := statusView{
		Saturated:   sum.Harness.Saturated,
		Partial:     sum.Partial,
		Interrupted: sum.Interrupted,
		Reasons:     sum.PartialReasons,
		Missing:     sum.MissingShards,
		Mismatch:    sum.Warnings,
	}
	for _, e := range sum.Events {
		s.Events = append(s.Events, eventText(e))
	}
	for i, st := range sum.Storms {
		if st.Incomplete {
			s.Incomplete = append(s.Incomplete, fmt.Sprintf("storm %d: %s", i+1, orDash(st.IncompleteReason)))
		}
	}
	for _, p := range sum.Harness.Phases {
		if p.Verdict.State == reporter.VerdictOK {
			continue
		}
		st := p.Verdict.State
		s.Verdicts = append(s.Verdicts, verdictView{
			Phase: p.Name, State: st.String(),
			Cause: p.Verdict.Cause, Affects: p.Verdict.Affects, Remedy: p.Verdict.Remedy,
			Severe: p.Saturated || st == reporter.VerdictSaturated || st == reporter.VerdictStarved,
		})
	}
	return s
}

// eventText describes one harness event in a line.
func eventText(e reporter.Event) string {
	s := fmt.Sprintf("%s: %s", seconds(e.At.Seconds()), e.Kind)
	if e.Process != "" {
		s += " (" + e.Process + ")"
	}
	if e.Phase != "" {
		s += " in " + e.Phase
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return dash
	}
	return s
}
