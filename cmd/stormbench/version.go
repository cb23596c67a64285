package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

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
	fmt.Fprintf(stdout, "stormbench %s (commit %s, %s %s/%s)\n", version, commit(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

// commit returns the VCS revision recorded in the binary, if any.
func commit() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return "unknown"
}
