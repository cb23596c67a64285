package experiment

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stormbench/stormbench/loadgen"
	"github.com/stormbench/stormbench/reporter"
	sut "github.com/stormbench/stormbench/server-under-test"
)

// TestMain lets the test binary stand in for the stormbench executable:
// a run starts its embedded server and its load-generator workers by
// running its own executable with "serve --child" or "worker".
func TestMain(m *testing.M) {
	if len(os.Args) > 2 && os.Args[1] == "serve" && os.Args[2] == "--child" {
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
		err := ServeChild(ctx, os.Stdin, os.Stdout, os.Stderr)
		stop()
		exitWith(err)
	}
	if len(os.Args) > 1 && os.Args[1] == "worker" {
		exitWith(Worker(os.Stdin, os.Stdout))
	}
	os.Exit(m.Run())
}

func exitWith(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// syncBuffer is a bytes.Buffer that children's output may be copied into
// from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// quickSpec is a run of about a second: 20 clients, a short hold, one
// storm of fault recovered with a short backoff. Without url it runs
// against the embedded server.
func quickSpec(t *testing.T, url string, fault loadgen.FaultKind) Spec {
	t.Helper()
	s := Spec{
		Loadgen: loadgen.Config{URL: url, Clients: 20, RampRate: 1000, Hold: 200 * time.Millisecond, ConnectTimeout: 2 * time.Second,
			Policy: loadgen.Policy{Base: 20 * time.Millisecond, Max: 100 * time.Millisecond},
			Fault:  loadgen.Fault{Kind: fault, Fraction: 1, RecoverTimeout: 10 * time.Second}},
		Out: t.TempDir(), Name: "test", Workers: 1, ServerWorkers: 1, NoPreflight: true, Stderr: &syncBuffer{},
	}
	if url == "" {
		s.Server = &sut.Config{BroadcastInterval: 100 * time.Millisecond}
	}
	return s
}

// prepare is Prepare that fails the test.
func prepare(t *testing.T, s Spec) *Plan {
	t.Helper()
	p, err := Prepare(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// startSUT starts a server-under-test in this process on loopback, with
// its control API, and returns it with its control token.
func startSUT(t *testing.T) (*sut.Server, string) {
	t.Helper()
	const token = "test-token"
	s, err := sut.New(sut.Config{Listen: "127.0.0.1:0", Control: "127.0.0.1:0", ControlToken: token, BroadcastInterval: 100 * time.Millisecond}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	return s, token
}

// deadAddr is a loopback address nothing listens on.
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// checkFolder checks that the results folder dir holds every file a run
// writes (and extra ones), complete: no temporary file is left behind.
func checkFolder(t *testing.T, dir string, extra ...string) {
	t.Helper()
	want := append([]string{reporter.ConfigFile, reporter.SummaryFile, reporter.TimeseriesFile, reporter.HlogFile, ShardFile}, extra...)
	for _, m := range reporter.Metrics() {
		want = append(want, m+".hgrm")
	}
	for _, name := range want {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v (want a file with content)", name, err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
	if _, err := reporter.ReadSummary(dir); err != nil {
		t.Error(err)
	}
	if _, err := reporter.ReadShard(filepath.Join(dir, ShardFile)); err != nil {
		t.Error(err)
	}
}

// within fails the test when done is not closed within d.
func within(t *testing.T, d time.Duration, what string, done <-chan struct{}) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s: not within %v", what, d)
	}
}
