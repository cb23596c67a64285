package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/stormbench/stormbench/compare"
	"github.com/stormbench/stormbench/experiment"
	"github.com/stormbench/stormbench/htmlreport"
	"github.com/stormbench/stormbench/reporter"
)

const reportUsage = `Usage: stormbench report DIR

For a run's results folder: re-prints the summary from DIR/summary.json, with
a PARTIAL banner when results are missing, and (re)writes DIR/plots/ (PNG and
SVG charts) and DIR/report.html (one self-contained page). For a sweep
folder: prints the comparison of its complete runs and (re)writes its
overlaid charts and comparison page. A summary.json that is not a stormbench
summary (no start, no harness processes, attempts that do not add up, storms
out of order, …) is refused with exit code 2 and what is wrong with it.
Folders written by earlier versions and on other machines work.

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
	if reporter.IsSweep(dir) {
		groups, err := compare.Load([]string{dir})
		if err != nil {
			return usagef("report: %v", err)
		}
		if err := experiment.WriteReport(dir); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		fmt.Fprintf(stdout, "sweep: %s\n\n", dir)
		if err := compare.Build(compare.Complete(groups), 0).Write(stdout, compare.FormatText); err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "\nreport: %s\n", filepath.Join(dir, htmlreport.ReportFile))
		return err
	}
	sum, err := reporter.ReadSummary(dir)
	if err != nil {
		return usagef("report: %v", err)
	}
	fmt.Fprintf(stdout, "run: %s\n", dir)
	if err := reporter.PrintSummary(stdout, sum); err != nil {
		return err
	}
	if err := experiment.WriteReport(dir); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	_, err = fmt.Fprintf(stdout, "\nreport: %s\n", filepath.Join(dir, htmlreport.ReportFile))
	return err
}
