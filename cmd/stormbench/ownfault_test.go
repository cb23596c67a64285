package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stormbench/stormbench/experiment"
	"github.com/stormbench/stormbench/internal/fault"
	sut "github.com/stormbench/stormbench/server-under-test"
	"golang.org/x/sys/unix"
)

// startForeignServer starts a server-under-test in this process, standing
// in for the user's staging server: the tests break its connections from
// outside stormbench, as a deploy would.
func startForeignServer(t *testing.T) *sut.Server {
	t.Helper()
	srv, err := sut.New(sut.Config{Listen: "127.0.0.1:0", BroadcastInterval: 100 * time.Millisecond}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	return srv
}

// restart restarts srv the way a deploy does: every connection closed
// (1012), new ones refused for d. It returns the instant it began.
func restart(t *testing.T, srv *sut.Server, d time.Duration) time.Time {
	t.Helper()
	r, err := srv.Fault(context.Background(), sut.FaultRequest{Kind: fault.Restart, DurationMs: d.Milliseconds()})
	if err != nil {
		t.Error(err)
	}
	return time.Unix(0, r.T0UnixNs)
}

var ownFaultArgs = []string{"--clients", "300", "--ramp-rate", "1000", "--backoff-base", "100ms", "--backoff-max", "1s",
	"--heartbeat-interval", "1s", "--recover-timeout", "20s"}

// TestExecFault runs the user's command at T0: the command (here a write
// to a FIFO the test waits on, then the test restarts the server) causes
// the storm; stormbench measures it, keeps its output and reports its exit
// status, and a command that fails fails the run (exit 3).
func TestExecFault(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	for _, tt := range []struct {
		name     string
		exit     string
		wantCode int
	}{
		{"succeeds", "exit 0", 0},
		{"fails", "exit 7", 7},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := startForeignServer(t)
			dir := t.TempDir()
			fifo := filepath.Join(t.TempDir(), "deploy")
			if err := unix.Mkfifo(fifo, 0o600); err != nil {
				t.Fatal(err)
			}
			restarted := make(chan time.Time, 1)
			go func() {
				f, err := os.Open(fifo) // blocks until the command writes
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.ReadAll(f)
				f.Close()
				restarted <- restart(t, srv, 300*time.Millisecond)
			}()
			cmdline := "echo rolling out; echo go > " + fifo + "; echo done >&2; " + tt.exit
			var so, se bytes.Buffer
			args := append([]string{"run", "--quiet", "--out", dir, "--url", "ws://" + srv.Addr() + "/ws",
				"--hold", "500ms", "--fault", "exec:" + cmdline}, ownFaultArgs...)
			err := dispatch(context.Background(), args, &so, &se)
			if tt.wantCode == 0 && err != nil {
				t.Fatalf("run: %v\n%s", err, se.String())
			}
			if tt.wantCode != 0 && (!errors.Is(err, experiment.ErrFaultCommand) || exitCode(err, io.Discard) != exitRunFailed) {
				t.Fatalf("run error %v (exit %d), want the fault command's failure (exit 3)", err, exitCode(err, io.Discard))
			}
			if !strings.Contains(se.String(), "[exec] rolling out") || !strings.Contains(se.String(), "[exec] done") {
				t.Errorf("the command's output is not on stderr:\n%s", se.String())
			}
			var at time.Time
			select {
			case at = <-restarted:
			default:
				t.Fatal("the command never ran")
			}
			run, sum := onlyResults(t, dir)
			if len(sum.Storms) != 1 {
				t.Fatalf("%d storms", len(sum.Storms))
			}
			st := sum.Storms[0]
			if st.Exec == nil || st.Exec.ExitCode != tt.wantCode || st.Exec.Log != "fault-1.log" {
				t.Fatalf("exec result %+v, want exit %d", st.Exec, tt.wantCode)
			}
			log, err := os.ReadFile(filepath.Join(run, "fault-1.log"))
			if err != nil || !strings.Contains(string(log), "rolling out\n") || !strings.Contains(string(log), "done\n") {
				t.Fatalf("fault-1.log %q, %v", log, err)
			}
			if st.Affected != 300 || st.Detected != 300 || st.Recovered != 300 || st.TimedOut {
				t.Fatalf("storm affected %d detected %d recovered %d timed out %v, want every client",
					st.Affected, st.Detected, st.Recovered, st.TimedOut)
			}
			// T0 is the command's start, before the restart it caused.
			if t0 := sum.StartedAt.Add(time.Duration(st.T0 * float64(time.Second))); t0.After(at) {
				t.Fatalf("T0 %v after the restart at %v", t0, at)
			}
		})
	}
}

// phaseStream is a status writer that sends the name of every phase as its line appears.
type phaseStream struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	phases chan string
}

func (w *phaseStream) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	sc := bufio.NewScanner(bytes.NewReader(p))
	for sc.Scan() {
		f := strings.Fields(strings.TrimPrefix(sc.Text(), "["))
		if len(f) >= 3 && strings.HasSuffix(f[0], "s]") {
			select {
			case w.phases <- f[1]:
			default:
			}
		}
	}
	return len(p), nil
}

// TestObserveFindsRestarts restarts the server twice from outside while
// stormbench only watches: each restart becomes a storm of its own, its
// T0 within the detection bound of the restart instant, every client
// recovered.
func TestObserveFindsRestarts(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	srv := startForeignServer(t)
	dir := t.TempDir()
	w := &phaseStream{phases: make(chan string, 64)}
	var at []time.Time
	done := make(chan error, 1)
	go func() {
		args := append([]string{"run", "--out", dir, "--url", "ws://" + srv.Addr() + "/ws",
			"--hold", "8s", "--fault", "observe"}, ownFaultArgs...)
		done <- dispatch(context.Background(), args, io.Discard, w)
	}()
	for _, want := range []string{"observe", "observe-2"} {
		for p := range w.phases {
			if p == want {
				break
			}
		}
		at = append(at, restart(t, srv, 300*time.Millisecond))
	}
	if err := <-done; err != nil {
		t.Fatalf("run: %v\n%s", err, w.buf.String())
	}
	_, sum := onlyResults(t, dir)
	if len(sum.Storms) != 2 {
		t.Fatalf("%d storms observed, want 2\n%s", len(sum.Storms), w.buf.String())
	}
	// T0 is the first loss: a client sees the close frame the moment
	// the server sends it, so T0 is the restart instant plus delivery,
	// and the harness's own lateness.
	bound := 50*time.Millisecond + time.Duration(sum.Harness.TimerLatenessMs.Max*float64(time.Millisecond))
	for k, st := range sum.Storms {
		if !st.Observed || st.Affected != 300 || st.Detected != 300 || st.Recovered != 300 || st.TimedOut {
			t.Errorf("storm %d: observed %v affected %d detected %d recovered %d timed out %v", k+1,
				st.Observed, st.Affected, st.Detected, st.Recovered, st.TimedOut)
		}
		t0 := sum.StartedAt.Add(time.Duration(st.T0 * float64(time.Second)))
		t.Logf("storm %d: T0 %v after the restart, detect p99 %.1fms, attempts %d", k+1, t0.Sub(at[k]), st.DetectMs.P99, st.Attempts)
		if d := t0.Sub(at[k]); d < -5*time.Millisecond || d > bound {
			t.Errorf("storm %d: T0 %v after the restart, want within [0, %v]", k+1, d, bound)
		}
		if st.Attempts < st.Recovered || st.RecoveryMs == nil || st.RecoveryMs.P100 == nil {
			t.Errorf("storm %d: attempts %d, recovery %+v", k+1, st.Attempts, st.RecoveryMs)
		}
	}
}

// TestFaultAtSchedule applies faults at the times asked for, not after a
// hold: T0 follows the schedule within the harness's lateness.
func TestFaultAtSchedule(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	srv := startForeignServer(t)
	dir := t.TempDir()
	var so, se bytes.Buffer
	args := append([]string{"run", "--quiet", "--out", dir, "--url", "ws://" + srv.Addr() + "/ws",
		"--fault", "reset", "--fault-fraction", "0.5", "--fault-at", "1500ms,4s"}, ownFaultArgs...)
	if err := dispatch(context.Background(), args, &so, &se); err != nil {
		t.Fatalf("run: %v\n%s", err, se.String())
	}
	_, sum := onlyResults(t, dir)
	if len(sum.Storms) != 2 {
		t.Fatalf("%d storms, want 2", len(sum.Storms))
	}
	late := 100*time.Millisecond + time.Duration(sum.Harness.TimerLatenessMs.Max*float64(time.Millisecond))
	for k, want := range []float64{1.5, 4} {
		st := sum.Storms[k]
		if st.ScheduledS == nil || *st.ScheduledS != want {
			t.Errorf("storm %d scheduled %v, want %v", k+1, st.ScheduledS, want)
		}
		if d := time.Duration((st.T0 - want) * float64(time.Second)); d < 0 || d > late {
			t.Errorf("storm %d: T0 %.3fs, scheduled %.1fs (bound %v)", k+1, st.T0, want, late)
		}
		// Half of the clients open at T0: all 300 for the first storm;
		// the second may come while some of the first are still away.
		if st.Affected < 1 || st.Affected > 150 || k == 0 && st.Affected != 150 || st.Recovered != st.Affected {
			t.Errorf("storm %d: affected %d recovered %d", k+1, st.Affected, st.Recovered)
		}
	}
}
