package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/measure"
)

// phaseWatch is a status-line writer that reports when a phase begins
// (the status line names the phase; a line is printed at every change).
type phaseWatch struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	phase string
	hit   chan struct{}
	once  sync.Once
}

func (w *phaseWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), "] "+w.phase+" ") {
		w.once.Do(func() { close(w.hit) })
	}
	return len(p), nil
}

func (w *phaseWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// childrenOf returns the PIDs of this process's children whose command
// line contains every word of match.
func childrenOf(t *testing.T, match ...string) []int {
	t.Helper()
	me := os.Getpid()
	var out []int
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		stat, err := os.ReadFile(filepath.Join(d, "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces, so cut at ')'.
		s := string(stat)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) < 2 || f[1] != strconv.Itoa(me) {
			continue
		}
		cmd, _ := os.ReadFile(filepath.Join(d, "cmdline"))
		line := strings.ReplaceAll(string(cmd), "\x00", " ")
		ok := true
		for _, m := range match {
			ok = ok && strings.Contains(line, m)
		}
		if ok {
			pid, _ := strconv.Atoi(filepath.Base(d))
			out = append(out, pid)
		}
	}
	return out
}

// TestChildKilledEndsRun: SIGKILL to the embedded server or to a
// load-generator worker, in any phase, ends the run within 5 s with exit
// 3, an error naming the process, its exit status and the phase, and a
// results folder written.
func TestChildKilledEndsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end runs take seconds each")
	}
	tests := []struct {
		name   string
		victim []string // words of the victim's command line
		phase  string
		want   string
	}{
		{"server in ramp", []string{"serve", "--child"}, "ramp", "server_exited: embedded server"},
		{"server in hold", []string{"serve", "--child"}, "hold", "server_exited: embedded server"},
		{"server in storm", []string{"serve", "--child"}, "storm-1", "server_exited: embedded server"},
		{"worker in ramp", []string{"worker"}, "ramp", "worker_exited: load-generator worker"},
		{"worker in hold", []string{"worker"}, "hold", "worker_exited: load-generator worker"},
		{"worker in storm", []string{"worker"}, "storm-1", "worker_exited: load-generator worker"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			w := &phaseWatch{phase: tt.phase, hit: make(chan struct{})}
			// A slow ramp, a long hold and a long partition keep each phase
			// open long enough to kill something in it.
			args := []string{"run", "--out", out, "--clients", "2000", "--ramp-rate", "500", "--hold", "8s",
				"--workers", "2", "--server-workers", "1", "--fault", "partition", "--fault-duration", "20s",
				"--heartbeat-interval", "1s", "--recover-timeout", "30s"}
			errc := make(chan error, 1)
			go func() { errc <- dispatch(context.Background(), args, &bytes.Buffer{}, w) }()
			select {
			case <-w.hit:
			case err := <-errc:
				t.Fatalf("run ended before %s: %v\n%s", tt.phase, err, w)
			case <-time.After(120 * time.Second):
				t.Fatalf("phase %s never began:\n%s", tt.phase, w)
			}
			pids := childrenOf(t, tt.victim...)
			if len(pids) == 0 {
				t.Fatalf("no child process %v", tt.victim)
			}
			killed := time.Now()
			if err := syscall.Kill(pids[0], syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			var err error
			select {
			case err = <-errc:
			case <-time.After(30 * time.Second):
				t.Fatalf("run did not end after the kill:\n%s", w)
			}
			if d := time.Since(killed); d > 5*time.Second {
				t.Errorf("run ended %v after the kill, want ≤ 5s", d)
			}
			if code := exitCode(err, &bytes.Buffer{}); code != exitRunFailed {
				t.Fatalf("exit code %d (%v), want %d", code, err, exitRunFailed)
			}
			msg := err.Error()
			for _, part := range []string{tt.want, "pid " + strconv.Itoa(pids[0]), "signal: killed", "during " + tt.phase} {
				if !strings.Contains(msg, part) {
					t.Errorf("error %q does not say %q", msg, part)
				}
			}
			dir, sum := onlyResults(t, out)
			if sum.Counters.Get(measure.Attempts) == 0 {
				t.Errorf("results in %s hold nothing", dir)
			}
			if tt.phase != "storm-1" && len(sum.Storms) > 0 {
				t.Errorf("a storm was recorded although the run ended in %s: %+v", tt.phase, sum.Storms)
			}
			if !sum.Partial || len(sum.PartialReasons) == 0 || len(sum.Events) == 0 {
				t.Errorf("summary not marked partial with a reason and an event: partial %v reasons %v events %v", sum.Partial, sum.PartialReasons, sum.Events)
			}
			if tt.phase == "storm-1" {
				// No figure may blame the server for what the harness lost.
				if len(sum.Storms) != 1 || !sum.Storms[0].Incomplete {
					t.Errorf("the storm the run ended in is not marked incomplete: %+v", sum.Storms)
				}
			}
			if strings.HasPrefix(tt.want, "worker") && len(sum.MissingShards) != 1 {
				t.Errorf("missing shards %v, want the dead worker's", sum.MissingShards)
			}
		})
	}
}

// TestStoppedWorkerEndsRun: a worker that stops answering (SIGSTOP) is
// found within its request deadline, not at the end of a long hold.
func TestStoppedWorkerEndsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	out := t.TempDir()
	w := &phaseWatch{phase: "hold", hit: make(chan struct{})}
	errc := make(chan error, 1)
	go func() {
		errc <- dispatch(context.Background(), []string{"run", "--out", out, "--clients", "1000", "--workers", "2",
			"--hold", "60s", "--fault", "close"}, &bytes.Buffer{}, w)
	}()
	select {
	case <-w.hit:
	case err := <-errc:
		t.Fatalf("run ended early: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("no hold")
	}
	pids := childrenOf(t, "worker")
	if len(pids) != 2 {
		t.Fatalf("workers %v", pids)
	}
	stopped := time.Now()
	if err := syscall.Kill(pids[1], syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer syscall.Kill(pids[1], syscall.SIGKILL)
	var err error
	select {
	case err = <-errc:
	case <-time.After(50 * time.Second):
		t.Fatal("a stopped worker did not end the run")
	}
	if d := time.Since(stopped); d > 20*time.Second {
		t.Errorf("ended %v after the stop", d)
	}
	if code := exitCode(err, &bytes.Buffer{}); code != exitRunFailed || !strings.Contains(err.Error(), "worker_unresponsive") {
		t.Fatalf("exit %d: %v", code, err)
	}
	_, sum := onlyResults(t, out)
	if !sum.Partial || len(sum.MissingShards) != 1 {
		t.Fatalf("partial %v missing %v", sum.Partial, sum.MissingShards)
	}
}
