package experiment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/stormbench/stormbench/loadgen"
	"github.com/stormbench/stormbench/reporter"
)

// MaxWorkerSockets is what one load-generator process may hold: the file
// limit here is 20 000 per process and cannot be raised, and a process
// needs some descriptors besides its clients.
const MaxWorkerSockets = 18000

// fleetRun is the fleet of one run, in this process or in workers.
type fleetRun struct {
	ctl   loadgen.Controller
	rec   *reporter.Recorder
	clock func() time.Duration
	// finish collects every part's results once the fleet is closed; a
	// part that is missing is named in missing, and err says why.
	finish func() (shard *reporter.Shard, missing []loadgen.Shard, err error)
	// local is the in-process fleet, when there is one.
	local *loadgen.Fleet
	// workers are the worker processes, when the fleet runs in them.
	workers []*child
}

// startFleet starts the fleet of p with cfg: in this process, or as
// p.Workers worker processes watched by sup.
func startFleet(p *Plan, cfg loadgen.Config, start time.Time, sup *supervisor) (*fleetRun, error) {
	if p.Workers > 1 {
		return workerFleet(p.Exe, cfg, p.Workers, start, p.RunID, p.Stderr, sup)
	}
	return localFleet(cfg, start, p.RunID)
}

// watchLoops ends the run through sup when the loops of an in-process
// fleet stop before ctx ends (a loop that failed); worker processes are
// watched as processes instead.
func watchLoops(ctx context.Context, fr *fleetRun, sup *supervisor) {
	if fr.local == nil {
		return
	}
	go func() {
		select {
		case <-fr.local.Dead():
			sup.fail(Event{Kind: EventLoopStopped, Process: "coordinator", Detail: fr.local.Err().Error()})
		case <-ctx.Done():
		}
	}()
}

// localFleet runs the whole fleet in this process.
func localFleet(cfg loadgen.Config, start time.Time, runID string) (*fleetRun, error) {
	clock := func() time.Duration { return time.Since(start) }
	rec := reporter.NewRecorder(reporter.Options{Start: start, Interval: cfg.Interval, RunID: runID,
		Coverage: []reporter.ShardID{reporter.ShardOf(cfg.Shard)}})
	f, err := loadgen.NewFleet(cfg, rec, clock)
	if err != nil {
		return nil, fmt.Errorf("fleet: %w", err)
	}
	return &fleetRun{ctl: f, rec: rec, clock: clock, local: f, finish: func() (*reporter.Shard, []loadgen.Shard, error) {
		return rec.Snapshot(clock()), nil, nil
	}}, nil
}

// workerInit is the first line a coordinator writes to a worker's stdin.
type workerInit struct {
	Config      loadgen.Config `json:"config"`
	StartUnixNs int64          `json:"start_unix_ns"`
	ShardPath   string         `json:"shard_path"`
	RunID       string         `json:"run_id"`
	// TLS is what the fleet's TLS files hold (Config.TLS keeps only their
	// paths): over the pipe, never through a file.
	TLS *loadgen.TLSMaterial `json:"tls,omitempty"`
}

// workerFleet runs the fleet as n worker processes, each a shard of the
// client IDs, driven through loadgen's worker protocol and watched by sup;
// at the end their shards merge exactly with the coordinator's storm facts.
func workerFleet(exe string, cfg loadgen.Config, n int, start time.Time, runID string, stderr io.Writer, sup *supervisor) (*fleetRun, error) {
	tmp, err := os.MkdirTemp("", "stormbench-shards-*")
	if err != nil {
		return nil, fmt.Errorf("workers: %w", err)
	}
	clock := func() time.Duration { return time.Since(start) }
	// The coordinator's own recorder runs no loops: it covers no clients,
	// it holds the storm facts, the events and the machine's samples.
	rec := reporter.NewRecorder(reporter.Options{Start: start, Interval: cfg.Interval, RunID: runID})
	var kids []*child
	var parts []loadgen.Shard
	var paths []string
	var ctls loadgen.Multi
	var remotes []*loadgen.Remote
	abort := func() {
		for _, c := range kids {
			c.kill(true)
		}
		os.RemoveAll(tmp)
	}
	base := cfg.Shard
	if base.Count == 0 {
		base = loadgen.Shard{Index: 0, Count: 1}
	}
	for i := 0; i < n; i++ {
		wcfg := cfg
		// Worker i of this process's shard (index, count) takes the client
		// IDs g ≡ index + i·count (mod count·n).
		wcfg.Shard = loadgen.Shard{Index: base.Index + i*base.Count, Count: base.Count * n}
		path := filepath.Join(tmp, fmt.Sprintf("worker-%d.json", i))
		cmd := exec.Command(exe, "worker")
		in, err1 := cmd.StdinPipe()
		out, err2 := cmd.StdoutPipe()
		if err := errors.Join(err1, err2); err != nil {
			abort()
			return nil, fmt.Errorf("workers: %w", err)
		}
		c, err := startChild(fmt.Sprintf("load-generator worker %d", i), cmd, stderr)
		if err != nil {
			abort()
			return nil, fmt.Errorf("workers: %w", err)
		}
		kids = append(kids, c)
		parts = append(parts, wcfg.Shard)
		paths = append(paths, path)
		if sup != nil {
			sup.watch(c, EventWorkerExited)
		}
		line, _ := json.Marshal(workerInit{Config: wcfg, StartUnixNs: start.UnixNano(), ShardPath: path, RunID: runID, TLS: cfg.TLS.Material})
		if _, err := in.Write(append(line, '\n')); err != nil {
			abort()
			return nil, fmt.Errorf("workers: start worker %d: %w", i, err)
		}
		rm := loadgen.NewRemote(in, out)
		rm.Name = fmt.Sprintf("%s (pid %d)", c.name, c.pid())
		rm.Alive = progress(c.pid())
		remotes = append(remotes, rm)
		ctls = append(ctls, rm)
	}
	var shards []*reporter.Shard
	finish := func() (*reporter.Shard, []loadgen.Shard, error) {
		defer os.RemoveAll(tmp)
		var missing []loadgen.Shard
		var errs []error
		names := []string{"coordinator"}
		for i, c := range kids {
			if c.alive() {
				c.expected.Store(true)
				if remotes[i].Broken() != nil {
					// It stopped answering: it will not write its shard either.
					c.kill(true)
				}
				// Told to close: it writes its shard and exits — slowly, on
				// a machine the run overloaded, but as long as it progresses.
				waitProgressing(c, 30*time.Second, 10*time.Minute)
			}
			s, err := reporter.ReadShard(paths[i])
			if err != nil {
				missing = append(missing, parts[i])
				reason := fmt.Sprintf("%s (pid %d, %s) left no results: the clients of shard %d/%d are missing", c.name, c.pid(), c.status(), parts[i].Index, parts[i].Count)
				rec.MarkPartial(reason)
				errs = append(errs, errors.New(reason))
				continue
			}
			shards = append(shards, s)
			names = append(names, c.name)
		}
		// The coordinator's snapshot last: it carries what was marked above.
		shards = append([]*reporter.Shard{rec.Snapshot(clock())}, shards...)
		merged, err := reporter.MergeWith(reporter.MergeOptions{AllowPartial: true,
			Want: []reporter.ShardID{reporter.ShardOf(cfg.Shard)}, Names: names}, shards...)
		if err != nil {
			errs = append(errs, err)
		}
		return merged, missing, errors.Join(errs...)
	}
	return &fleetRun{ctl: ctls, rec: rec, clock: clock, finish: finish, workers: kids}, nil
}

// waitProgressing waits for c to exit, asking every slice whether it still
// makes progress; one that does not, or still runs after limit, is killed.
func waitProgressing(c *child, slice, limit time.Duration) {
	alive := progress(c.pid())
	deadline := time.Now().Add(limit)
	for {
		select {
		case <-c.exited:
			return
		case <-time.After(slice):
		}
		if time.Now().After(deadline) || !alive() {
			c.kill(true)
			return
		}
	}
}
