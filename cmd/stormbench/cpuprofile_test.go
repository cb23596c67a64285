package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCPUProfileEnv: with STORMBENCH_CPUPROFILE set, a process writes its
// profile (gzip-compressed protobuf) as COMMAND-PID.pprof; a folder that
// does not exist is reported and the command runs without one.
func TestCPUProfileEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(cpuProfileEnv, dir)
	stop := startCPUProfile([]string{"worker", "--x"}, io.Discard)
	stop()
	files, _ := filepath.Glob(filepath.Join(dir, "worker-*.pprof"))
	if len(files) != 1 {
		t.Fatalf("profiles %v, want one worker-PID.pprof", files)
	}
	b, err := os.ReadFile(files[0])
	if err != nil || !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
		t.Fatalf("profile %q: %v, %d bytes, want gzip", files[0], err, len(b))
	}

	t.Setenv(cpuProfileEnv, filepath.Join(dir, "missing"))
	var stderr strings.Builder
	startCPUProfile([]string{"run"}, &stderr)()
	if !strings.Contains(stderr.String(), cpuProfileEnv) {
		t.Fatalf("stderr %q, want the variable named", stderr.String())
	}
}
