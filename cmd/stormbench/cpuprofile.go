package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
)

// cpuProfileEnv names a folder into which every stormbench process of a
// run — the coordinator, each load-generator worker, each server process,
// all of which inherit the environment — writes a CPU profile of its whole
// life, as COMMAND-PID.pprof, for `go tool pprof`. It is how the CPU of a
// large run is found (docs/scale.md); without it nothing is profiled.
const cpuProfileEnv = "STORMBENCH_CPUPROFILE"

// startCPUProfile starts the profile cpuProfileEnv asks for and returns
// the function that stops and writes it; a profile that cannot start is
// reported on stderr and the command runs without it.
func startCPUProfile(args []string, stderr io.Writer) (stop func()) {
	dir := os.Getenv(cpuProfileEnv)
	if dir == "" {
		return func() {}
	}
	cmd := "stormbench"
	if len(args) > 0 {
		cmd = filepath.Base(args[0])
	}
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s-%d.pprof", cmd, os.Getpid())))
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(stderr, "stormbench: %s: %v (running without a profile)\n", cpuProfileEnv, err)
		if f != nil {
			f.Close()
		}
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
