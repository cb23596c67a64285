package main

import (
	"context"
	"os"
	"testing"
)

// TestMain lets the test binary stand in for the stormbench executable:
// "run" starts its embedded server and its workers by re-executing itself
// with "serve" or "worker".
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && (os.Args[1] == "serve" || os.Args[1] == "worker") {
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			waitSignal()
			cancel()
		}()
		os.Exit(exitCode(dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
	}
	os.Exit(m.Run())
}
