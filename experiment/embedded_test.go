package experiment

import (
	"context"
	"os"
	"testing"
	"time"

	sut "github.com/stormbench/stormbench/server-under-test"
)

// startTestEmbedded starts the embedded server (this test binary as
// "serve --child") watched by a supervisor of its own.
func startTestEmbedded(t *testing.T) (*embedded, *supervisor, context.Context) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	sup, ctx := newTestSupervisor()
	e, err := startEmbedded(ctx, exe, sut.Config{BroadcastInterval: 100 * time.Millisecond, ControlToken: "tok"}.Resolve(), 1, &syncBuffer{}, sup)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopped := make(chan struct{})
		go func() {
			e.stop()
			close(stopped)
		}()
		select {
		case <-stopped:
		case <-time.After(20 * time.Second):
			// A restart that cannot be called off: fail, and do not leave
			// the server behind.
			t.Error("stop did not return within 20s")
			e.mu.Lock()
			e.cur.kill(true)
			e.mu.Unlock()
		}
	})
	return e, sup, ctx
}

// pendingDone is closed once e has no restart pending.
func pendingDone(e *embedded) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		e.pending.Wait()
		close(done)
	}()
	return done
}

// TestCrashRestarts: a crash kills the server and starts it again on the
// same ports after the delay; its exit is no failure of the run.
func TestCrashRestarts(t *testing.T) {
	e, sup, ctx := startTestEmbedded(t)
	url := e.URL()
	if _, err := e.crash(ctx, 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	within(t, 30*time.Second, "restart", pendingDone(e))
	if e.Restarts() != 1 || !e.alive() || e.URL() != url {
		t.Fatalf("restarts %d, alive %v, URL %s (was %s)", e.Restarts(), e.alive(), e.URL(), url)
	}
	if !e.control().Healthy(ctx) {
		t.Fatal("the restarted server is not healthy")
	}
	if ev := sup.Events(); len(ev) != 0 || ctx.Err() != nil {
		t.Fatalf("events %+v, ctx %v", ev, ctx.Err())
	}
}

// TestCrashRestartCalledOff: a run that ends during the restart delay
// (ctx cancelled, or the server stopped) does not wait the delay out, and
// that is no failure.
func TestCrashRestartCalledOff(t *testing.T) {
	tests := []struct {
		name string
		end  func(cancel context.CancelFunc, e *embedded)
	}{
		{"run's context ends", func(cancel context.CancelFunc, _ *embedded) { cancel() }},
		{"server stopped", func(_ context.CancelFunc, e *embedded) { go e.stop() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, sup, _ := startTestEmbedded(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if _, err := e.crash(ctx, time.Hour); err != nil {
				t.Fatal(err)
			}
			tt.end(cancel, e)
			within(t, 5*time.Second, "restart called off", pendingDone(e))
			stopped := make(chan struct{})
			go func() {
				e.stop()
				close(stopped)
			}()
			within(t, 15*time.Second, "stop", stopped)
			if e.Restarts() != 0 || e.alive() {
				t.Fatalf("restarts %d, alive %v", e.Restarts(), e.alive())
			}
			if ev := sup.Events(); len(ev) != 0 {
				t.Fatalf("events %+v", ev)
			}
		})
	}
}
