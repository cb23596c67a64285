package charts

import (
	"fmt"
	"strings"
)

// runSubtitle describes r for a chart: its settings, its folder and start,
// and its storms.
func runSubtitle(r *Run) []string {
	var out []string
	if s := r.Settings.Subtitle(); s != "" {
		out = append(out, s)
	}
	sum := r.Summary
	out = append(out, fmt.Sprintf("Run %s, started %s, %s.", r.Name(), sum.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC"), fmtS(sum.DurationS)))
	var storms []string
	for i, st := range sum.Storms {
		s := fmt.Sprintf("storm %d (%s): T0 %s, window to %s, %d affected", i+1, st.Fault, fmtS(st.T0), fmtS(st.End), st.Affected)
		if !st.Incomplete && st.Affected > 0 {
			s += fmt.Sprintf(", %s recovered", pct(st.Recovered, st.Affected))
		}
		storms = append(storms, s)
	}
	if len(storms) > 0 {
		out = append(out, strings.Join(storms, "; ")+".")
	}
	return out
}

// runWarnings says what makes r's figures less than complete or less than
// the server's — partial results, a saturated harness — prefixed with who
// (a label, or nothing for a one-run chart): a reader of the chart alone
// must see it too.
func runWarnings(r *Run, who string) []string {
	var w []string
	if who != "" {
		who += ": "
	}
	if r.Summary.Partial || r.Summary.Interrupted {
		why := strings.Join(r.Summary.PartialReasons, "; ")
		if r.Summary.Interrupted && why == "" {
			why = "interrupted"
		}
		w = append(w, fmt.Sprintf("WARNING: %sPARTIAL results (%s).", who, why))
	}
	if r.Summary.Harness.Saturated {
		var ph []string
		for _, p := range r.Summary.Harness.Phases {
			if p.Saturated {
				ph = append(ph, p.Name+" "+p.Verdict.State.String())
			}
		}
		w = append(w, fmt.Sprintf("WARNING: %sthe load generator was saturated or starved of CPU (%s): those phases' figures describe the harness, not the server.", who, strings.Join(ph, ", ")))
	}
	return w
}

// pct formats n/of as a percentage.
func pct(n, of int64) string {
	if of == 0 {
		return "—"
	}
	return fmt.Sprintf("%s %%", trim(100*float64(n)/float64(of), 1))
}

// with returns a copy of lines with more appended: subtitles are shared
// between charts and must not grow into each other.
func with(lines []string, more ...string) []string {
	return append(append([]string(nil), lines...), more...)
}
