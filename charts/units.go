package charts

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// timeUnit picks milliseconds or seconds for an axis whose largest value
// is maxMs, so that tick labels stay short: "12.5 s", not "12 500 ms".
func timeUnit(maxMs float64) (name string, div float64) {
	if maxMs >= 10000 {
		return "s", 1000
	}
	return "ms", 1
}

// fmtMs formats a latency in milliseconds for a label: "850 ms", "1.24 s".
func fmtMs(v float64) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case v >= 1000:
		return trim(v/1000, 2) + " s"
	case v >= 10:
		return trim(v, 0) + " ms"
	default:
		return trim(v, 2) + " ms"
	}
}

// fmtRate formats a per-second rate for a label, thousands grouped.
func fmtRate(v float64) string { return groupThousands(trim(v, 0)) + "/s" }

// trim formats v with at most dec decimals, dropping trailing zeros.
func trim(v float64, dec int) string {
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if dec > 0 {
		for s[len(s)-1] == '0' {
			s = s[:len(s)-1]
		}
		if s[len(s)-1] == '.' {
			s = s[:len(s)-1]
		}
	}
	return s
}

// fmtS formats seconds on the run's clock: "2.32 s".
func fmtS(v float64) string { return fmt.Sprintf("%s s", trim(v, 2)) }

// splitWords splits s at runs of spaces.
func splitWords(s string) []string { return strings.Fields(s) }

// joinLines joins lines with newlines (plot's text handler draws each).
func joinLines(lines []string) string { return strings.Join(lines, "\n") }
