package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/stormbench/stormbench/reporter"
)

// errThresholds reports a run whose results are written and complete but
// that broke at least one --threshold (exit 1).
var errThresholds = errors.New("thresholds broken")

// thresholdHelp lists every figure a threshold can test.
func thresholdHelp() string {
	return "pass/fail condition, repeatable: 'recovery_p99<10s', 'peak_attempts_per_s<5000', 'messages_lost==0', 'saturated==false'; " +
		"a broken one exits 1 after the results are written. Figures: " + reporter.FigureNames()
}

// parseThresholds parses every --threshold; a bad one is a usage error.
func parseThresholds(srcs []string) ([]reporter.Threshold, error) {
	var out []reporter.Threshold
	for _, s := range srcs {
		t, err := reporter.ParseThreshold(s)
		if err != nil {
			return nil, usagef("--threshold: %v", strings.TrimPrefix(err.Error(), reporter.ErrThreshold.Error()+" "))
		}
		out = append(out, t)
	}
	return out, nil
}

// brokenThresholds turns the broken thresholds of a summary into an error
// naming each with what was measured.
func brokenThresholds(sum *reporter.Summary) error {
	broken := sum.BrokenThresholds()
	if len(broken) == 0 {
		return nil
	}
	lines := make([]string, len(broken))
	for i, t := range broken {
		lines[i] = fmt.Sprintf("  %s: measured %s", t.Threshold, t.Measured)
	}
	return fmt.Errorf("%w: %d of %d\n%s", errThresholds, len(broken), len(sum.Thresholds), strings.Join(lines, "\n"))
}
