package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sut "github.com/stormbench/stormbench/server-under-test"
)

// TestMain lets the test binary play the accepting child, as the command
// does when it re-executes itself.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == childMode {
		os.Exit(runAcceptor())
	}
	os.Exit(m.Run())
}

func TestTCPRound(t *testing.T) {
	for _, tc := range []struct{ n, workers int }{
		{1, 1},
		{300, 2},
		{perSource + 10, 4}, // two source addresses
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		r, err := tcpRound(ctx, tc.n, tc.workers, 5*time.Second)
		cancel()
		if err != nil {
			t.Fatalf("n=%d: %v", tc.n, err)
		}
		if r.Connected != int64(tc.n) || r.Fail.total() != 0 {
			t.Fatalf("n=%d: connected %d, failures %s", tc.n, r.Connected, r.Fail.String())
		}
		// The child's last accept follows the first connect; it cannot
		// precede it, and the rate follows from it.
		if r.AcceptDur <= 0 || r.ConnectDur <= 0 || r.Rate() <= 0 {
			t.Fatalf("n=%d: accept %v connect %v rate %v", tc.n, r.AcceptDur, r.ConnectDur, r.Rate())
		}
	}
}

func TestConnectRefused(t *testing.T) {
	// A port that was free a moment ago: nothing listens, the SYN gets RST.
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	_, err = connectFrom(sourceFor(0).As4(), port, time.Second)
	if got := classify(err); got != failRefused {
		t.Fatalf("err %v classified %v, want refused", err, got)
	}
}

func startSUT(t *testing.T, cfg sut.Config) *sut.Server {
	t.Helper()
	cfg.Listen, cfg.Control, cfg.ControlToken = "127.0.0.1:0", "127.0.0.1:0", "tok"
	s, err := sut.New(cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	return s
}

func TestWSRound(t *testing.T) {
	for _, tc := range []struct {
		name      string
		maxConns  int
		n, c      int
		connected int64
		refused   int64 // 503 answers
	}{
		{"all upgrade", 0, 200, 16, 200, 0},
		// The server refuses upgrades beyond 50 open: counted by cause.
		{"503 beyond max-conns", 50, 80, 1, 50, 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startSUT(t, sut.Config{MaxConns: tc.maxConns})
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			r, conns := wsRound(ctx, "ws://"+s.Addr()+"/ws", tc.n, tc.c, 5*time.Second)
			defer closeAll(conns)
			if r.Connected != tc.connected || r.Fail[failStatus] != tc.refused || r.Fail.total() != tc.refused {
				t.Fatalf("connected %d, failures %s", r.Connected, r.Fail.String())
			}
			if r.Latency.TotalCount() != tc.connected || r.Dur <= 0 || r.Rate() <= 0 {
				t.Fatalf("latencies %d, dur %v", r.Latency.TotalCount(), r.Dur)
			}
			// The server registers an upgraded connection on its loop just
			// after the 101 went out: poll until it has.
			deadline := time.Now().Add(5 * time.Second)
			for s.Stats().Counters.Open != tc.connected && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if open := s.Stats().Counters.Open; open != tc.connected {
				t.Fatalf("server open %d, want %d", open, tc.connected)
			}
		})
	}
}

// TestRun builds stormbench and runs the command end to end, small.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds stormbench")
	}
	bin := filepath.Join(t.TempDir(), "stormbench")
	build := exec.Command("go", "build", "-o", bin, "github.com/stormbench/stormbench/cmd/stormbench")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var out strings.Builder
	err := run([]string{"-bin", bin, "-n-tcp", "200", "-n-ws", "200", "-workers", "2", "-c", "8,32", "-rounds", "1"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"tcp  n=200 workers=2: median", "ws   n=200 c=8: median", "ws   n=200 c=32: median", "failures none"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestParseFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"-mode", "x"}, "-mode"},
		{[]string{"-mode", "tcp", "-n-tcp", "25000"}, "open-file limit"},
		{[]string{"-mode", "tcp", "-workers", "0"}, "-workers"},
		{[]string{"-mode", "ws", "-bin", ""}, "needs -bin"},
		{[]string{"-mode", "tcp", "-rounds", "0"}, "-rounds"},
		{[]string{"-mode", "tcp", "extra"}, "unexpected"},
	} {
		t.Setenv("STORMBENCH", "")
		_, err := parseFlags(tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%v: err = %v, want one mentioning %q", tc.args, err, tc.msg)
		}
	}
}
