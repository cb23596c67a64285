package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/stormbench/stormbench/loadgen"
	"github.com/stormbench/stormbench/reporter"
)

// maxWorkerSockets is what one load-generator process may hold: the file
// limit here is 20 000 per process and cannot be raised, and a process
// needs some descriptors besides its clients.
const maxWorkerSockets = 18000

// loadgenWorkersDefault is how many worker processes keep each under
// maxWorkerSockets (clients plus dials in flight).
func loadgenWorkersDefault(clients, dialers int) int {
	per := max(maxWorkerSockets-dialers, 1000)
	return max(1, (clients+per-1)/per)
}

// fleetRun is the fleet of one run, in this process or in workers.
type fleetRun struct {
	ctl    loadgen.Controller
	rec    *reporter.Recorder
	clock  func() time.Duration
	finish func() (*reporter.Shard, error)
}

// localFleet runs the whole fleet in this process.
func localFleet(cfg loadgen.Config, start time.Time) (*fleetRun, error) {
	clock := func() time.Duration { return time.Since(start) }
	rec := reporter.NewRecorder(reporter.Options{Start: start, Interval: cfg.Interval})
	f, err := loadgen.NewFleet(cfg, rec, clock)
	if err != nil {
		return nil, fmt.Errorf("fleet: %w", err)
	}
	return &fleetRun{ctl: f, rec: rec, clock: clock, finish: func() (*reporter.Shard, error) {
		return rec.Snapshot(clock()), nil
	}}, nil
}

// workerFleet runs the fleet as n worker processes, each a shard of the
// client IDs, driven through loadgen's worker protocol; at the end their
// shards merge exactly with the coordinator's storm facts.
func workerFleet(cfg loadgen.Config, n int, start time.Time, stderr io.Writer) (*fleetRun, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("workers: find own executable: %w", err)
	}
	tmp, err := os.MkdirTemp("", "stormbench-shards-*")
	if err != nil {
		return nil, fmt.Errorf("workers: %w", err)
	}
	clock := func() time.Duration { return time.Since(start) }
	rec := reporter.NewRecorder(reporter.Options{Start: start, Interval: cfg.Interval})
	var cmds []*exec.Cmd
	var paths []string
	var ctls loadgen.Multi
	kill := func() {
		for _, c := range cmds {
			_ = c.Process.Kill()
			_ = c.Wait()
		}
		os.RemoveAll(tmp)
	}
	for i := 0; i < n; i++ {
		wcfg := cfg
		// Worker i of this process's shard (index, count) takes the client
		// IDs g ≡ index + i·count (mod count·n).
		base := cfg.Shard
		if base.Count == 0 {
			base = loadgen.Shard{Index: 0, Count: 1}
		}
		wcfg.Shard = loadgen.Shard{Index: base.Index + i*base.Count, Count: base.Count * n}
		path := filepath.Join(tmp, fmt.Sprintf("worker-%d.json", i))
		cmd := exec.Command(exe, "worker")
		cmd.Stderr = stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
		in, err1 := cmd.StdinPipe()
		out, err2 := cmd.StdoutPipe()
		if err := errors.Join(err1, err2); err != nil {
			kill()
			return nil, fmt.Errorf("workers: %w", err)
		}
		if err := cmd.Start(); err != nil {
			kill()
			return nil, fmt.Errorf("workers: start worker %d: %w", i, err)
		}
		cmds = append(cmds, cmd)
		paths = append(paths, path)
		line, _ := json.Marshal(workerInit{Config: wcfg, StartUnixNs: start.UnixNano(), ShardPath: path})
		if _, err := in.Write(append(line, '\n')); err != nil {
			kill()
			return nil, fmt.Errorf("workers: start worker %d: %w", i, err)
		}
		ctls = append(ctls, loadgen.NewRemote(in, out))
	}
	finish := func() (*reporter.Shard, error) {
		defer os.RemoveAll(tmp)
		shards := []*reporter.Shard{rec.Snapshot(clock())}
		var errs []error
		for i, c := range cmds {
			if err := waitTimeout(c, 30*time.Second); err != nil {
				errs = append(errs, fmt.Errorf("worker %d: %w", i, err))
				continue
			}
			s, err := reporter.ReadShard(paths[i])
			if err != nil {
				errs = append(errs, fmt.Errorf("worker %d: %w", i, err))
				continue
			}
			shards = append(shards, s)
		}
		merged, err := reporter.Merge(shards...)
		if err != nil {
			errs = append(errs, err)
		}
		return merged, errors.Join(errs...)
	}
	return &fleetRun{ctl: ctls, rec: rec, clock: clock, finish: finish}, nil
}

// waitTimeout waits for a worker to exit, killing it after d.
func waitTimeout(c *exec.Cmd, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		_ = c.Process.Kill()
		<-done
		return fmt.Errorf("did not exit within %v", d)
	}
}
