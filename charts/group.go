package charts

import (
	"fmt"
	"strings"
)

// Group is one setting of a comparison and its repeats: the runs made
// with the same settings (and seeds seed, seed+1, …).
type Group struct {
	// Label names the setting, e.g. "jitter none"; it is the legend text.
	Label string
	// Runs are the repeats, first repeat first.
	Runs []*Run
}

// first returns the group's first run, nil when it has none.
func (g Group) first() *Run {
	if len(g.Runs) == 0 {
		return nil
	}
	return g.Runs[0]
}

// legend returns the group's legend text: its label, and how many repeats
// its curves show when it has several.
func (g Group) legend() string {
	if len(g.Runs) > 1 {
		return fmt.Sprintf("%s (%d repeats)", g.Label, len(g.Runs))
	}
	return g.Label
}

// groupCurves returns one curve per group (its first repeat bold, the
// others behind it), coloured in turn; groups without runs are skipped.
func groupCurves(groups []Group) []curve {
	var out []curve
	for i, g := range groups {
		if r := g.first(); r != nil {
			out = append(out, curve{label: g.legend(), color: colour(i), run: r, repeats: g.Runs[1:]})
		}
	}
	return out
}

// curveLegend returns the legend of an overlay: one entry per curve.
func curveLegend(curves []curve) []legendItem {
	out := make([]legendItem, 0, len(curves))
	for _, c := range curves {
		out = append(out, legendItem{text: c.label, color: c.color})
	}
	return out
}

// comparisonSubtitle says what every compared run shares (the settings
// that do not differ) and how repeats are drawn.
func comparisonSubtitle(groups []Group, curves []curve) []string {
	var out []string
	if s := sharedSettings(curves); s != "" {
		out = append(out, "Shared: "+s)
	}
	repeats := false
	for _, g := range groups {
		repeats = repeats || len(g.Runs) > 1
	}
	if repeats {
		out = append(out, "Each setting's repeats share its colour: repeat 1 bold, the others thin and pale behind it.")
	}
	return out
}

// sharedSettings joins the subtitle settings whose value is the same in
// every curve's run.
func sharedSettings(curves []curve) string {
	if len(curves) == 0 {
		return ""
	}
	var parts []string
	for _, n := range subtitleSettings {
		v := curves[0].run.Settings.Get(n)
		same := v != ""
		for _, c := range curves[1:] {
			same = same && c.run.Settings.Get(n) == v
		}
		if same {
			parts = append(parts, n+" "+v)
		}
	}
	return strings.Join(parts, " · ")
}

// comparisonWarnings names, in at most two lines, the settings whose runs
// are partial or had a saturated harness; the report gives the details.
func comparisonWarnings(groups []Group) []string {
	var partial, saturated []string
	np, ns, n := 0, 0, 0
	for _, g := range groups {
		p, s := 0, 0
		for _, r := range g.Runs {
			n++
			if r.Summary.Partial || r.Summary.Interrupted {
				p++
			}
			if r.Summary.Harness.Saturated {
				s++
			}
		}
		np, ns = np+p, ns+s
		if p > 0 {
			partial = append(partial, fmt.Sprintf("%s ×%d", g.Label, p))
		}
		if s > 0 {
			saturated = append(saturated, fmt.Sprintf("%s ×%d", g.Label, s))
		}
	}
	var out []string
	if np > 0 {
		out = append(out, fmt.Sprintf("WARNING: %d of %d runs have PARTIAL results (%s).", np, n, strings.Join(partial, ", ")))
	}
	if ns > 0 {
		out = append(out, fmt.Sprintf("WARNING: in %d of %d runs the load generator was saturated or starved of CPU in some phase (%s): those figures describe the harness, not the server.", ns, n, strings.Join(saturated, ", ")))
	}
	return out
}
