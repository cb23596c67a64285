package reporter

import (
	"strings"
)

// printVerdicts writes, for every phase in which the harness was late, why,
// what it affects and what to change: WARNING for a saturated or starved
// phase (its figures describe the harness), NOTE for a burst the loops
// served in turn (its figures carry a stated delay).
func printVerdicts(p func(string, ...any), h HarnessSummary) {
	for _, ph := range h.Phases {
		v := ph.Verdict
		var head string
		switch v.State {
		case VerdictSaturated:
			head = "WARNING: " + ph.Name + ": the harness was saturated: "
		case VerdictStarved:
			head = "WARNING: " + ph.Name + ": the harness was starved of CPU: "
		case VerdictBurst:
			head = "NOTE: " + ph.Name + ": the harness served a burst in turn: "
		default:
			continue
		}
		for _, line := range wrap(head+v.Cause+".", 100, "") {
			p("%s", line)
		}
		for _, line := range wrap("Affects: "+v.Affects+".", 100, "  ") {
			p("%s", line)
		}
		for _, line := range wrap("Remedy: "+v.Remedy+".", 100, "  ") {
			p("%s", line)
		}
	}
}

// wrap breaks text into lines of at most width runes at spaces; lines after
// the first are indented by two more spaces than indent.
func wrap(text string, width int, indent string) []string {
	var out []string
	line := indent
	cont := indent + "  "
	for _, w := range strings.Fields(text) {
		if len([]rune(line))+len([]rune(w))+1 > width && strings.TrimSpace(line) != "" {
			out = append(out, line)
			line = cont
		}
		if strings.TrimSpace(line) != "" {
			line += " "
		}
		line += w
	}
	if strings.TrimSpace(line) != "" {
		out = append(out, line)
	}
	return out
}
