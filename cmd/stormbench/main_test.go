package main

import (
	"context"
	"os"
	"os/exec"
	"testing"
)

// beMain is set in the environment of a test binary that must behave
// exactly like the stormbench executable (signal handling included).
const beMain = "STORMBENCH_TEST_BE_MAIN"

// TestMain lets the test binary stand in for the stormbench executable:
// "run" starts its embedded server and its workers by re-executing itself
// with "serve" or "worker"; tests that need the whole program (a closed
// stdout, SIGPIPE) run it with beMain set; and a few tests run helper
// servers in their own processes (testServers).
func TestMain(m *testing.M) {
	if len(os.Args) > 1 {
		if srv, ok := testServers[os.Args[1]]; ok {
			srv(os.Args[2:])
			os.Exit(0)
		}
	}
	if os.Getenv(beMain) == "1" {
		main()
		return
	}
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

// testServers are helper processes a test starts by re-executing the test
// binary with the server's name as the first argument.
var testServers = map[string]func(args []string){}

// stormbenchCmd returns a command that runs this test binary as the real
// stormbench executable with args.
func stormbenchCmd(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), beMain+"=1")
	return cmd
}
