package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/stormbench/stormbench/reporter"
)

// errFailed is returned when a check failed (exit 1).
var errFailed = errors.New("check failed")

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil:
	case errors.Is(err, errFailed):
		os.Exit(1)
	default:
		fmt.Fprintln(os.Stderr, "holdcheck:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("holdcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("target", "", "the target's name, the row's first cell")
	clients := fs.Int64("clients", 2000, "the fleet: clients that must have joined and come back")
	statsFile := fs.String("stats", "", "file holding the server's stats read in the middle of the hold ({\"joined\":N,…}); empty or missing: not read")
	reorders := fs.Bool("reorders", false, "allow as many messages duplicated as lost before the fault (a server that reorders a connection's messages)")
	headerOnly := fs.Bool("header", false, "print the table's header and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *headerOnly {
		fmt.Fprintln(stdout, row(header))
		seps := make([]string, len(header))
		for i := range seps {
			seps[i] = "---"
		}
		fmt.Fprintln(stdout, row(seps))
		return nil
	}
	if fs.NArg() != 1 || *target == "" || *clients < 1 {
		return fmt.Errorf("usage: holdcheck -target NAME [-clients N] [-stats FILE] [-reorders] RESULTS_DIR")
	}
	dir := fs.Arg(0)
	sum, err := reporter.ReadSummary(dir)
	if err != nil {
		return err
	}
	t0 := sum.DurationS
	if len(sum.Storms) > 0 {
		t0 = sum.Storms[0].T0
	}
	h, err := readHold(dir, t0)
	if err != nil {
		return err
	}
	in := input{target: *target, clients: *clients, reorders: *reorders, sum: sum, hold: h}
	if *statsFile != "" {
		if b, err := os.ReadFile(*statsFile); err == nil && len(strings.TrimSpace(string(b))) > 0 {
			var s stats
			if err := json.Unmarshal(b, &s); err != nil {
				return fmt.Errorf("-stats %s: %w", *statsFile, err)
			}
			in.stats = &s
		}
	}
	r := check(in)
	fmt.Fprintln(stdout, row(r.cells))
	for _, f := range r.failures {
		fmt.Fprintf(stderr, "%s: %s\n", *target, f)
	}
	if len(r.failures) > 0 {
		return errFailed
	}
	return nil
}
