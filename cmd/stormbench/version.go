package main

import (
	"context"
	"fmt"
	"io"
	"runtime"

	"github.com/stormbench/stormbench/experiment"
)

const versionUsage = `Usage: stormbench version

Prints the version, the commit it was built from, and the Go version.

Example:
  stormbench version
`

func versionCmd(_ context.Context, args []string, stdout, _ io.Writer) error {
	cmd := newCommand("stormbench version", versionUsage, stdout)
	if err := cmd.parse(args); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "stormbench %s (commit %s, %s %s/%s)\n", experiment.Version, experiment.Commit(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
