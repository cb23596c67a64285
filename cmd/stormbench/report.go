package main

import (
	"context"
	"fmt"
	"io"

	"github.com/stormbench/stormbench/reporter"
)

const reportUsage = `Usage: stormbench report DIR

Re-prints the summary of a finished run from DIR/summary.json, with a PARTIAL
banner when results are missing. A summary.json that is not a stormbench
summary (no start, no harness processes, attempts that do not add up, storms
out of order, …) is refused with exit code 2 and what is wrong with it.
Folders written by earlier versions still print.

Examples:
  stormbench report results/20261121-231000-abort-full
  stormbench report "$(ls -d results/*/ | tail -1)"
`

func reportCmd(_ context.Context, args []string, stdout, _ io.Writer) error {
	cmd := newCommand("stormbench report", reportUsage, stdout)
	if err := cmd.parse(args); err != nil {
		return err
	}
	if cmd.fs.NArg() != 1 {
		return usagef("report needs exactly one results folder (got %d arguments); see stormbench report --help", cmd.fs.NArg())
	}
	dir := cmd.fs.Arg(0)
	sum, err := reporter.ReadSummary(dir)
	if err != nil {
		return usagef("report: %v", err)
	}
	fmt.Fprintf(stdout, "run: %s\n", dir)
	return reporter.PrintSummary(stdout, sum)
}
