package main

import (
	"context"
	"io"

	"github.com/stormbench/stormbench/compare"
)

const compareUsage = `stormbench compare — runs or sweeps side by side

Usage:
  stormbench compare [--format text|markdown|csv|json] [--baseline DIR] DIR...

Each DIR is a run's results folder or a sweep folder. Runs of one setting
(a sweep's repeats) are one column: the median over the runs, [min–max],
and ×ratio to the baseline (the first column unless --baseline names a
folder); * marks the best value of a row, ! a setting whose min–max range
does not overlap the baseline's (both with at least two runs).

Examples:
  stormbench compare results/20261123-080000-sweep-jitter
  stormbench compare --format markdown results/*-abort-full results/*-abort-none
`

func compareCmd(_ context.Context, args []string, stdout, _ io.Writer) error {
	cmd := newCommand("stormbench compare", compareUsage, stdout)
	format := cmd.fs.String("format", "text", "output: text, markdown, csv or json")
	baseline := cmd.fs.String("baseline", "", "the folder (one of DIR, or a run inside a sweep folder) the others are compared with (default: the first)")
	if err := cmd.parse(args); err != nil {
		return err
	}
	f, err := compare.ParseFormat(*format)
	if err != nil {
		return usagef("--format %v", err)
	}
	dirs := cmd.fs.Args()
	if len(dirs) == 0 {
		return usagef("compare needs at least one results or sweep folder; see stormbench compare --help")
	}
	groups, err := compare.Load(dirs)
	if err != nil {
		return usagef("%v", err)
	}
	base := 0
	if *baseline != "" {
		if base, err = compare.FindGroup(groups, *baseline); err != nil {
			return usagef("--baseline %v", err)
		}
	}
	return compare.Build(groups, base).Write(stdout, f)
}
