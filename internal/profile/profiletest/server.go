package profiletest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TargetsDir returns the repository's scripts/targets folder, where the
// real servers' install and start scripts live.
func TargetsDir(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "scripts", "targets")
}

// NodeTarget starts `node scripts/targets/<name>/server.js` with env and
// returns when port accepts connections; the server is stopped (SIGTERM)
// when the test ends. It skips the test, saying why, when node or the
// target's npm packages are missing (scripts/targets/<name>/install
// installs them) or under -short.
func NodeTarget(t testing.TB, name string, port int, env ...string) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: no real servers")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the real-server test needs Node 20 and scripts/targets/" + name + "/install")
	}
	dir := TargetsDir(t)
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
		t.Skip("the real server's npm packages are not installed: run scripts/targets/" + name + "/install")
	}
	cmd := exec.Command(node, filepath.Join(dir, name, "server.js"))
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	logged := make(chan struct{})
	go func() {
		defer close(logged)
		s := bufio.NewScanner(out)
		for s.Scan() {
			log.WriteString(s.Text() + "\n")
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Process.Signal(terminate)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		<-logged
		if t.Failed() {
			t.Logf("%s server log:\n%s", name, log.String())
		}
	})
	if err := WaitPort(port, 15*time.Second); err != nil {
		t.Fatalf("%s server: %v", name, err)
	}
}

// WaitPort waits until 127.0.0.1:port accepts a connection, or d passes.
func WaitPort(port int, d time.Duration) error { return WaitPortOf(port, d, nil) }

// WaitPortOf is WaitPort for a server process that may exit first:
// exited (nil: never) closed ends the wait at once.
func WaitPortOf(port int, d time.Duration, exited <-chan struct{}) error {
	deadline := time.Now().Add(d)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("127.0.0.1:%d not accepting after %v: %w", port, d, err)
		}
		select {
		case <-exited:
			return fmt.Errorf("the server exited")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// FreePort returns a loopback port nobody listens on now.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Stats reads a target's own figures (GET http://127.0.0.1:port/stats).
func Stats(ctx context.Context, port int) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://127.0.0.1:%d/stats", port), nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}
