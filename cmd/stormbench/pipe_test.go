package main

import (
	"bufio"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stormbench/stormbench/reporter"
)

// TestClosedStdoutKeepsResults: "stormbench run … | head -1" — the reader
// goes away after the first line, and with it stdout and stderr. The run
// must not die of SIGPIPE: it finishes, writes the complete results
// folder, and exits as the run did.
func TestClosedStdoutKeepsResults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole program")
	}
	out := t.TempDir()
	cmd := stormbenchCmd(t, "run", "--out", out, "--clients", "300", "--hold", "1s", "--ramp-rate", "3000")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	// Read one line, like head -1, then go away.
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil || line == "" {
		t.Fatalf("first line %q: %v", line, err)
	}
	r.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("run did not end")
	}
	if err != nil {
		t.Fatalf("run with a closed stdout: %v (a signal here means SIGPIPE killed it)", err)
	}
	dirs, _ := filepath.Glob(filepath.Join(out, "*"))
	if len(dirs) != 1 {
		t.Fatalf("results folders %v", dirs)
	}
	for _, f := range []string{"config.json", "summary.json", "timeseries.csv", "shard.json", "connect_latency.hgrm", "histograms.hlog", "server.json"} {
		if _, err := os.Stat(filepath.Join(dirs[0], f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	sum, err := reporter.ReadSummary(dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Storms) != 1 || sum.Storms[0].Recovered != 300 {
		t.Fatalf("storms %+v", sum.Storms)
	}
	checkInvariants(t, dirs[0], sum)
}
