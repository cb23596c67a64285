package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "timeline:", err)
		os.Exit(2)
	}
}

// run parses the command line, loads the runs and prints table and summary.
func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("timeline", flag.ContinueOnError)
	t0s := fs.String("t0", "", "align runs at these instants: LABEL=SECONDS|storm[K]|unix:SECONDS, comma-separated")
	step := fs.Float64("step", 1, "seconds per table row")
	from := fs.Float64("from", math.NaN(), "first row, seconds relative to t0 (default: -5 when aligned, else the start)")
	to := fs.Float64("to", math.NaN(), "end of the last row, seconds relative to t0 (default: the longest run's end)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: timeline [flags] [LABEL=]RESULTS_DIR|timeseries.csv ...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fmt.Errorf("no runs given")
	}
	if !(*step > 0) || math.IsInf(*step, 0) {
		return fmt.Errorf("-step %v: want a positive number of seconds", *step)
	}
	specs, err := parseT0(*t0s)
	if err != nil {
		return err
	}
	var runs []*Run
	seen := map[string]bool{}
	for i, a := range fs.Args() {
		label, path := splitArg(a, string(rune('A'+i%26)))
		if seen[label] {
			return fmt.Errorf("run label %q used twice", label)
		}
		seen[label] = true
		r, err := loadRun(label, path)
		if err != nil {
			return err
		}
		if sp, ok := specs[label]; ok {
			if r.T0, err = sp.resolve(r.Summary); err != nil {
				return fmt.Errorf("run %s: %w", label, err)
			}
			r.HaveT0 = true
			delete(specs, label)
		}
		runs = append(runs, r)
	}
	for label := range specs {
		return fmt.Errorf("-t0 names run %q, which is not given", label)
	}
	aligned := false
	for _, r := range runs {
		if r.HaveT0 {
			fmt.Fprintf(out, "%s: %s (t0 = %.3f s after the run's start)\n", r.Label, r.Path, r.T0)
			aligned = true
		} else {
			fmt.Fprintf(out, "%s: %s\n", r.Label, r.Path)
		}
	}
	if aligned && math.IsNaN(*from) {
		*from = -5
	}
	fmt.Fprintln(out)
	if err := writeTable(out, runs, *step, *from, *to); err != nil {
		return err
	}
	fmt.Fprintln(out)
	writeSummary(out, runs)
	return nil
}
