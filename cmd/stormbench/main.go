// Command stormbench benchmarks what happens to a WebSocket server when its
// clients lose their connections at once: it holds a fleet of clients,
// breaks their connections on purpose, and measures the reconnect storm.
//
// This file only dispatches subcommands and maps errors to exit codes.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/stormbench/stormbench/experiment"
)

// Exit codes (docs/commands.md, "Exit codes").
const (
	exitOK          = 0
	exitThresholds  = 1
	exitUsage       = 2
	exitRunFailed   = 3
	exitInterrupted = 130
)

// usageError is bad input found before anything started (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// errHelp is returned after --help printed the usage (exit 0).
var errHelp = errors.New("help shown")

const mainUsage = `stormbench — reconnect-storm benchmark for WebSocket servers

Usage:
  stormbench <command> [flags]

Commands:
  run       one experiment: a client fleet, a fault, the storm measured
  sweep     the same experiment across settings (comma lists), with repeats, compared
  compare   runs or sweeps side by side: which setting wins, by how much
  policies  the reconnect presets (--policy) and each framework's default preset and heartbeat
  serve     the server-under-test on its own
  report    re-print the summary of a finished run
  merge     join the shards of one run (several machines) into one results folder
  version   version, commit and Go version

Run "stormbench <command> --help" for a command's flags and examples.
`

func main() {
	// A reader that goes away (stormbench run | head -1) must not kill the
	// run before its results are written: with SIGPIPE notified, a write
	// to a closed stdout or stderr returns EPIPE instead of ending the
	// process (os/signal: "If the program is not calling Notify for
	// SIGPIPE … exit"). Output errors are then handled where they occur.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		if len(os.Args) > 1 && (os.Args[1] == "run" || os.Args[1] == "sweep") {
			fmt.Fprintln(os.Stderr, "\nstormbench: interrupted; finishing and writing partial results (Ctrl-C again to exit at once)")
		}
		cancel()
		<-sigs
		os.Exit(exitInterrupted)
	}()
	stopProfile := startCPUProfile(os.Args[1:], os.Stderr)
	err := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stopProfile()
	os.Exit(exitCode(err, os.Stderr))
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, mainUsage)
		return usagef("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run":
		return runCmd(ctx, rest, stdout, stderr)
	case "serve":
		return serveCmd(ctx, rest, os.Stdin, stdout, stderr)
	case "report":
		return reportCmd(ctx, rest, stdout, stderr)
	case "merge":
		return mergeCmd(ctx, rest, stdout, stderr)
	case "sweep":
		return sweepCmd(ctx, rest, stdout, stderr)
	case "compare":
		return compareCmd(ctx, rest, stdout, stderr)
	case "policies":
		return policiesCmd(ctx, rest, stdout, stderr)
	case "version":
		return versionCmd(ctx, rest, stdout, stderr)
	case "worker": // hidden: one shard of "run --workers N", driven over stdin/stdout
		return workerCmd(ctx, rest, os.Stdin, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, mainUsage)
		return nil
	default:
		fmt.Fprint(stderr, mainUsage)
		return usagef("unknown command %q", cmd)
	}
}

func exitCode(err error, stderr io.Writer) int {
	var ue usageError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return exitOK
	case errors.Is(err, experiment.ErrInterrupted):
		fmt.Fprintln(stderr, "stormbench:", err)
		return exitInterrupted
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "stormbench:", err)
		return exitUsage
	case errors.Is(err, errThresholds):
		fmt.Fprintln(stderr, "stormbench:", err)
		return exitThresholds
	default:
		fmt.Fprintln(stderr, "stormbench:", err)
		return exitRunFailed
	}
}
