package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/stormbench/stormbench/loadgen"
	sut "github.com/stormbench/stormbench/server-under-test"
)

// embedded is the server-under-test that "run" starts as a child process
// of its own executable when no --url is given, and restarts after a crash.
type embedded struct {
	exe     string
	cfg     sut.Config
	workers int
	epoch   time.Time
	stderr  io.Writer

	mu       sync.Mutex
	cmd      *exec.Cmd
	ann      announcement
	restarts int
	pending  sync.WaitGroup // a restart after a crash
	stopped  bool
}

// startEmbedded starts "stormbench serve" on free loopback ports and waits
// until it is healthy.
func startEmbedded(ctx context.Context, cfg sut.Config, workers int, epoch time.Time, stderr io.Writer) (*embedded, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("embedded server: find own executable: %w", err)
	}
	e := &embedded{exe: exe, cfg: cfg, workers: max(workers, 1), epoch: epoch, stderr: stderr}
	if err := e.start(ctx, "127.0.0.1:0", "127.0.0.1:0"); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *embedded) args(listen, control string) []string {
	return append([]string{"serve", "--announce", "--workers", strconv.Itoa(e.workers),
		"--listen", listen, "--control", control, "--control-token", e.cfg.ControlToken,
		"--epoch-unix-ns", strconv.FormatInt(e.epoch.UnixNano(), 10),
	}, serveFlagArgs(e.cfg)...)
}

// serveFlagArgs renders the settings of c that "stormbench serve" takes as
// flags, for the child processes that run a server.
func serveFlagArgs(c sut.Config) []string {
	return []string{
		"--path", c.Path,
		"--ping-interval", c.PingInterval.String(),
		"--idle-timeout", c.IdleTimeout.String(),
		"--broadcast-interval", c.BroadcastInterval.String(),
		"--replay", strconv.Itoa(c.Replay),
		"--max-conns", strconv.Itoa(c.MaxConns),
		"--accept-rate", strconv.FormatFloat(c.AcceptRate, 'g', -1, 64),
		"--accept-burst", strconv.Itoa(c.AcceptBurst),
		"--retry-after", c.RetryAfter.String(),
		"--loops", strconv.Itoa(c.Loops),
		"--seed", strconv.FormatUint(c.Seed, 10),
	}
}

func (e *embedded) start(ctx context.Context, listen, control string) error {
	cmd, ann, err := spawnAnnounced(e.exe, e.args(listen, control), e.stderr, 30*time.Second)
	if err != nil {
		return fmt.Errorf("embedded server: %w", err)
	}
	e.mu.Lock()
	e.cmd, e.ann = cmd, ann
	e.mu.Unlock()
	hctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for !e.control().Healthy(hctx) {
		if hctx.Err() != nil {
			return errors.New("embedded server: not healthy within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// URL returns the server's WebSocket URL.
func (e *embedded) URL() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.ann.WS
}

func (e *embedded) control() *sut.ControlClient {
	e.mu.Lock()
	defer e.mu.Unlock()
	return &sut.ControlClient{Base: e.ann.Control, Token: e.ann.Token}
}

// crash kills the server with SIGKILL and starts it again on the same
// ports after d. It returns the kill instant.
func (e *embedded) crash(d time.Duration) (time.Time, error) {
	e.mu.Lock()
	cmd := e.cmd
	e.mu.Unlock()
	t0 := time.Now()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return t0, fmt.Errorf("kill embedded server: %w", err)
	}
	_ = cmd.Wait()
	ws, _ := url.Parse(e.URL())
	ctl, _ := url.Parse(e.control().Base)
	e.pending.Add(1)
	go func() {
		defer e.pending.Done()
		time.Sleep(d)
		e.mu.Lock()
		stopped := e.stopped
		e.mu.Unlock()
		if stopped {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := e.start(ctx, ws.Host, ctl.Host); err != nil {
			fmt.Fprintf(e.stderr, "stormbench: restart after crash: %v\n", err)
			return
		}
		e.mu.Lock()
		e.restarts++
		e.mu.Unlock()
	}()
	return t0, nil
}

// Restarts returns how often the server was started again after a crash.
func (e *embedded) Restarts() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.restarts
}

// stop waits for a pending restart, then stops the server with SIGTERM
// (SIGKILL if it does not exit within 10 s).
func (e *embedded) stop() {
	e.mu.Lock()
	e.stopped = true
	e.mu.Unlock()
	e.pending.Wait()
	e.mu.Lock()
	cmd := e.cmd
	e.mu.Unlock()
	if cmd == nil || cmd.ProcessState != nil {
		return
	}
	stopChild(cmd, 10*time.Second)
}

// injector applies server-side faults through a control API and crashes
// through the embedded server.
type injector struct {
	ctl func() *sut.ControlClient
	emb *embedded
}

// Inject implements loadgen.Injector.
func (in *injector) Inject(ctx context.Context, f loadgen.Fault) (loadgen.Injected, error) {
	if f.Kind == loadgen.FaultCrash {
		if in.emb == nil {
			return loadgen.Injected{}, errors.New("crash needs the embedded server (run without --url)")
		}
		t0, err := in.emb.crash(f.Duration)
		return loadgen.Injected{T0: t0, Affected: -1}, err
	}
	if in.ctl == nil {
		return loadgen.Injected{}, fmt.Errorf("fault %s needs the server's control API (--control)", f.Kind)
	}
	r, err := in.ctl().Fault(ctx, sut.FaultRequest{Kind: f.Kind, Fraction: f.Fraction, DurationMs: f.Duration.Milliseconds(), Code: f.Code})
	if err != nil {
		return loadgen.Injected{}, err
	}
	return loadgen.Injected{T0: time.Unix(0, r.T0UnixNs), Affected: r.Affected}, nil
}
