package experiment

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sync"
	"time"

	sut "github.com/stormbench/stormbench/server-under-test"
)

// embedded is the server-under-test that a run starts as a child process
// of its own executable when no --url is given, restarts after a crash
// fault, and watches all along.
type embedded struct {
	exe     string
	cfg     sut.Config
	workers int
	stderr  io.Writer
	sup     *supervisor

	mu       sync.Mutex
	cur      *serverChild
	restarts int
	pending  sync.WaitGroup // a restart after a crash
	// quit is closed by stop: a pending restart is called off.
	quit     chan struct{}
	quitOnce sync.Once
}

// startEmbedded starts the server on free loopback ports (or on listen
// and control when given) and waits until it is healthy.
func startEmbedded(ctx context.Context, exe string, cfg sut.Config, workers int, stderr io.Writer, sup *supervisor) (*embedded, error) {
	e := &embedded{exe: exe, cfg: cfg, workers: max(workers, 1), stderr: stderr, sup: sup, quit: make(chan struct{})}
	e.cfg.Listen, e.cfg.Control = "127.0.0.1:0", "127.0.0.1:0"
	if err := e.start(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *embedded) name() string {
	if e.workers > 1 {
		return fmt.Sprintf("embedded server (%d workers)", e.workers)
	}
	return "embedded server"
}

// start starts the server process with e.cfg and waits until /healthz
// answers.
func (e *embedded) start(ctx context.Context) error {
	spec := serveSpec{Config: e.cfg, Workers: e.workers, TLS: tlsMaterial(e.cfg)}
	sc, err := spawnServer(e.exe, e.name(), spec, e.cfg.ControlToken, e.stderr, 30*time.Second)
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.cur = sc
	e.mu.Unlock()
	hctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for !e.control().Healthy(hctx) {
		if hctx.Err() != nil || !sc.alive() {
			sc.kill(true)
			return fmt.Errorf("%s: not healthy within 10s", e.name())
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-sc.exited:
		}
	}
	if e.sup != nil {
		e.sup.watch(sc.child, EventServerExited)
	}
	return nil
}

// URL returns the server's WebSocket URL.
func (e *embedded) URL() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cur.ann.WS
}

// control returns a client of the current process's control API.
func (e *embedded) control() *sut.ControlClient {
	e.mu.Lock()
	defer e.mu.Unlock()
	return &sut.ControlClient{Base: e.cur.ann.Control, Token: e.cfg.ControlToken}
}

// crash kills the server with SIGKILL and starts it again on the same
// ports after d (restart), in the background. It returns the kill instant.
func (e *embedded) crash(ctx context.Context, d time.Duration) (time.Time, error) {
	e.mu.Lock()
	cur := e.cur
	e.mu.Unlock()
	if !cur.alive() {
		return time.Now(), errors.New("the embedded server is not running")
	}
	t0 := time.Now()
	cur.kill(true)
	ws, _ := url.Parse(cur.ann.WS)
	ctl, _ := url.Parse(cur.ann.Control)
	e.pending.Add(1)
	go func() {
		defer e.pending.Done()
		e.restart(ctx, d, ws.Host, ctl.Host)
	}()
	return t0, nil
}

// restart starts the server again on listen and control after d. When
// ctx ends or stop is called first (Ctrl-C, a failure of the harness, the
// end of the run), the restart is called off at once, not after the rest
// of d, and that is no failure. A restart that fails ends the run.
func (e *embedded) restart(ctx context.Context, d time.Duration, listen, control string) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-e.quit:
			cancel()
		case <-ctx.Done():
		}
	}()
	t := time.NewTimer(max(d, 0))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return
	}
	e.mu.Lock()
	e.cfg.Listen, e.cfg.Control = listen, control
	e.mu.Unlock()
	sctx, stop := context.WithTimeout(ctx, 20*time.Second)
	defer stop()
	if err := e.start(sctx); err != nil {
		if ctx.Err() != nil {
			return // called off while it started
		}
		if e.sup != nil {
			e.sup.fail(Event{Kind: EventServerRestartFailed, Process: e.name(), Detail: err.Error()})
		}
		return
	}
	e.mu.Lock()
	e.restarts++
	e.mu.Unlock()
}

// Restarts returns how often the server was started again after a crash.
func (e *embedded) Restarts() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.restarts
}

// alive reports whether the server process is running now.
func (e *embedded) alive() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cur != nil && e.cur.alive()
}

// stop calls off a pending restart, then stops the server: SIGTERM (it
// closes its clients with 1001), SIGKILL if it does not exit within 10 s.
func (e *embedded) stop() {
	e.quitOnce.Do(func() { close(e.quit) })
	e.pending.Wait()
	e.mu.Lock()
	cur := e.cur
	e.mu.Unlock()
	if cur == nil {
		return
	}
	cur.expected.Store(true)
	_ = cur.stdin.Close()
	cur.stop(10 * time.Second)
}
