package reporter

import (
	"strconv"
	"strings"
)

// printPartial writes the PARTIAL banner: why the results do not cover the
// whole run, and whose results are missing.
func printPartial(p func(string, ...any), sum *Summary) {
	if !sum.Partial {
		return
	}
	p("")
	p("PARTIAL RESULTS: these figures do not cover the whole run")
	for _, r := range sum.PartialReasons {
		p("  - %s", r)
	}
	if len(sum.MissingShards) > 0 {
		p("  missing load-generator shards: %s (client IDs g with g mod count = index)", strings.Join(sum.MissingShards, ", "))
	}
}

// printEvents lists the events of the run.
func printEvents(p func(string, ...any), events []Event) {
	if len(events) == 0 {
		return
	}
	p("")
	p("events")
	for _, e := range events {
		where := e.Process
		if e.Phase != "" {
			where += " (" + e.Phase + ")"
		}
		detail := ""
		if e.Detail != "" {
			detail = ": " + e.Detail
		}
		p("  %s\t%s\t%s%s", seconds(e.At.Seconds()), e.Kind, strings.TrimSpace(where), detail)
	}
}

// secs formats seconds without trailing zeros (412, 41.2).
func secs(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
