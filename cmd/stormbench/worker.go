package main

import (
	"context"
	"io"

	"github.com/stormbench/stormbench/experiment"
)

// workerCmd is the hidden "worker" subcommand: one shard of a run's fleet
// in its own process, driven by the coordinator over stdin/stdout.
func workerCmd(_ context.Context, _ []string, stdin io.Reader, stdout, _ io.Writer) error {
	return experiment.Worker(stdin, stdout)
}
