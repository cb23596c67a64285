package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stormbench/stormbench/reporter"
)

// startNginx puts Debian's nginx, as a WebSocket reverse proxy, in front
// of a server-under-test (scripts/staging/nginx.sh), or skips the test
// when nginx is not installed. It returns the proxy's address and the
// script's arguments after the command (DIR LISTEN UPSTREAM).
func startNginx(t *testing.T, upstream string) (string, string, []string) {
	t.Helper()
	if _, err := exec.LookPath("nginx"); err != nil {
		t.Skip("nginx is not installed (apt-get install nginx-light): the proxy trial needs it")
	}
	script, err := filepath.Abs(filepath.Join("..", "..", "scripts", "staging", "nginx.sh"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listen := ln.Addr().String()
	ln.Close()
	args := []string{t.TempDir(), listen, upstream}
	if out, err := exec.Command(script, append([]string{"start"}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("start nginx: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command(script, "stop", args[0]).Run() })
	return listen, script, args
}

// TestNginxRestart: nginx in front of the server is restarted by the
// user's own command at T0 (--fault exec) and, separately, by hand while a
// run observes: both storms are measured, every client recovers, and the
// observed storm's T0 follows the restart.
func TestNginxRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	srv := startForeignServer(t)
	listen, script, args := startNginx(t, srv.Addr())
	url := "ws://" + listen + "/ws"
	restartCmd := script + " restart " + args[0] + " " + args[1] + " " + args[2]

	t.Run("exec", func(t *testing.T) {
		out := t.TempDir()
		var so, se bytes.Buffer
		run := append([]string{"run", "--quiet", "--out", out, "--url", url, "--hold", "1s", "--fault", "exec:" + restartCmd}, ownFaultArgs...)
		if err := dispatch(context.Background(), run, &so, &se); err != nil {
			t.Fatalf("run: %v\n%s\n%s", err, so.String(), se.String())
		}
		_, sum := onlyResults(t, out)
		st := sum.Storms[0]
		if st.Exec == nil || st.Exec.ExitCode != 0 || st.Affected != 300 || st.Recovered != 300 {
			t.Fatalf("exec %+v: affected %d recovered %d", st.Exec, st.Affected, st.Recovered)
		}
		t.Logf("exec restart: detect p99 %.1fms, recovery p99 %vms, causes %v", st.DetectMs.P99, p99(st.RecoveryMs), st.DetectCauses)
	})

	t.Run("observe", func(t *testing.T) {
		out := t.TempDir()
		w := &phaseStream{phases: make(chan string, 64)}
		done := make(chan error, 1)
		go func() {
			run := append([]string{"run", "--out", out, "--url", url, "--hold", "6s", "--fault", "observe"}, ownFaultArgs...)
			done <- dispatch(context.Background(), run, io.Discard, w)
		}()
		for p := range w.phases {
			if p == "observe" {
				break
			}
		}
		at := time.Now()
		if b, err := exec.Command("sh", "-c", restartCmd).CombinedOutput(); err != nil {
			t.Fatalf("restart nginx: %v\n%s", err, b)
		}
		if err := <-done; err != nil {
			t.Fatalf("run: %v\n%s", err, w.buf.String())
		}
		_, sum := onlyResults(t, out)
		if len(sum.Storms) != 1 {
			t.Fatalf("%d storms observed, want 1\n%s", len(sum.Storms), w.buf.String())
		}
		st := sum.Storms[0]
		t0 := sum.StartedAt.Add(time.Duration(st.T0 * float64(time.Second)))
		// nginx's fast stop closes every proxied connection at once: the
		// first loss follows the signal by nginx's own shutdown, delivery
		// and the harness's lateness; a second is generous.
		if !st.Observed || st.Affected != 300 || st.Recovered != 300 || t0.Before(at) || t0.Sub(at) > time.Second {
			t.Fatalf("observed %v affected %d recovered %d, T0 %v after the restart began", st.Observed, st.Affected, st.Recovered, t0.Sub(at))
		}
		t.Logf("observed restart: T0 %v after the restart command began, detect p99 %.1fms, recovery p99 %v, causes %v",
			t0.Sub(at), st.DetectMs.P99, p99(st.RecoveryMs), st.DetectCauses)
	})
}

// p99 is a storm's recovery p99 for a log line ("-" when there is none).
func p99(r *reporter.Recovery) any {
	if r == nil || r.P99 == nil {
		return "-"
	}
	return *r.P99
}
