package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	sut "github.com/stormbench/stormbench/server-under-test"
)

// TestTokenNeverInArgvOrResults: the embedded server gets its control
// token through its environment, not its command line (world-readable in
// /proc/PID/cmdline), and no results file holds it.
func TestTokenNeverInArgvOrResults(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	out := t.TempDir()
	w := &phaseWatch{phase: "hold", hit: make(chan struct{})}
	errc := make(chan error, 1)
	go func() {
		errc <- dispatch(context.Background(), []string{"run", "--out", out, "--clients", "50", "--hold", "2s", "--fault", "close"}, &bytes.Buffer{}, w)
	}()
	select {
	case <-w.hit:
	case err := <-errc:
		t.Fatalf("run ended early: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("no hold")
	}
	pids := childrenOf(t, "serve", "--child")
	if len(pids) != 1 {
		t.Fatalf("server children %v", pids)
	}
	env, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pids[0]), "environ"))
	if err != nil {
		t.Fatal(err)
	}
	var token string
	for _, kv := range strings.Split(string(env), "\x00") {
		if v, ok := strings.CutPrefix(kv, "STORMBENCH_CONTROL_TOKEN="); ok {
			token = v
		}
	}
	if len(token) < 16 {
		t.Fatalf("the server child has no token in its environment")
	}
	cmdline, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pids[0]), "cmdline"))
	if bytes.Contains(cmdline, []byte(token)) {
		t.Fatalf("token in the child's command line: %q", cmdline)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	assertNotInResults(t, out, token)
}

// TestUserTokenRedacted: a token given with --control-token is not written
// to config.json's command line.
func TestUserTokenRedacted(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	const token = "user-secret-token-4711"
	srv, err := sut.New(sut.Config{Listen: "127.0.0.1:0", Control: "127.0.0.1:0", ControlToken: token}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	out := t.TempDir()
	err = dispatch(context.Background(), []string{"run", "--quiet", "--out", out, "--url", "ws://" + srv.Addr() + "/ws",
		"--control", "http://" + srv.ControlAddr(), "--control-token", token, "--clients", "50", "--hold", "500ms", "--fault", "close"}, &bytes.Buffer{}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	assertNotInResults(t, out, token)
	dir, _ := onlyResults(t, out)
	b, _ := os.ReadFile(filepath.Join(dir, "config.json"))
	if !bytes.Contains(b, []byte(`"--control-token",`)) || !bytes.Contains(b, []byte("[redacted]")) {
		t.Fatalf("config.json does not record the redacted flag:\n%s", b)
	}
}

func assertNotInResults(t *testing.T, out, secret string) {
	t.Helper()
	_ = filepath.Walk(out, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s holds the token", p)
		}
		return nil
	})
}
