package experiment

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

func newTestSupervisor() (*supervisor, context.Context) {
	ctx, cancel := context.WithCancelCause(context.Background())
	start := time.Now()
	return newSupervisor(func() time.Duration { return time.Since(start) }, func() string { return "hold" }, cancel), ctx
}

// TestUnexpectedExitEndsTheRun: a child that exits on its own cancels the
// run at once with an event naming it, its exit status, its last message
// and the phase.
func TestUnexpectedExitEndsTheRun(t *testing.T) {
	sup, ctx := newTestSupervisor()
	c, err := startChild("load-generator worker 1", exec.Command("sh", "-c", "echo 'out of luck' >&2; exit 3"), nil)
	if err != nil {
		t.Fatal(err)
	}
	sup.watch(c, EventWorkerExited)
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the run was not cancelled")
	}
	var he *HarnessError
	if !errors.As(context.Cause(ctx), &he) {
		t.Fatalf("cause %v, want a *HarnessError", context.Cause(ctx))
	}
	msg := he.Error()
	for _, want := range []string{"worker_exited", "load-generator worker 1 (pid ", "exit status 3", "out of luck", "during hold"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q does not say %q", msg, want)
		}
	}
	if ev := sup.Events(); len(ev) != 1 || ev[0].Kind != EventWorkerExited || ev[0].Phase != "hold" {
		t.Fatalf("events %+v", ev)
	}
}

// TestExpectedExitIsNoEvent: exits the coordinator causes (a crash fault,
// the end of the run) are not failures.
func TestExpectedExitIsNoEvent(t *testing.T) {
	sup, ctx := newTestSupervisor()
	c, err := startChild("embedded server", exec.Command("sleep", "30"), nil)
	if err != nil {
		t.Fatal(err)
	}
	sup.watch(c, EventServerExited)
	c.kill(true)
	sup.watching.Wait()
	if ctx.Err() != nil || len(sup.Events()) != 0 {
		t.Fatalf("expected exit recorded: ctx %v, events %+v", ctx.Err(), sup.Events())
	}
	if got := c.status(); got != "signal: killed" {
		t.Fatalf("status %q", got)
	}
}

// TestChildStderrTail: the last line a child wrote is kept for messages,
// and a child whose stderr cannot be written (a closed terminal) does not
// block.
func TestChildStderrTail(t *testing.T) {
	c, err := startChild("x", exec.Command("sh", "-c", "for i in $(seq 1 3000); do echo line $i >&2; done"), failingWriter{})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.exited:
	case <-time.After(10 * time.Second):
		t.Fatal("child blocked on its stderr")
	}
	if got := c.tail.lastLine(); got != "line 3000" {
		t.Fatalf("last line %q", got)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestRedactArgs(t *testing.T) {
	tests := []struct{ in, want []string }{
		{[]string{"--url", "ws://x", "--control-token", "s3cret", "--fault", "close"}, []string{"--url", "ws://x", "--control-token", "[redacted]", "--fault", "close"}},
		{[]string{"--control-token=s3cret"}, []string{"--control-token=[redacted]"}},
		{[]string{"--clients", "10"}, []string{"--clients", "10"}},
		{[]string{"-H", "Authorization: Bearer abc", "-H", "X-Team: storm"}, []string{"-H", "Authorization: [redacted]", "-H", "X-Team: storm"}},
		{[]string{"--header=Cookie: sid=1", "-HX-Api-Key: k"}, []string{"--header=Cookie: [redacted]", "-HX-Api-Key: [redacted]"}},
		{[]string{"--header", "Authorization: Bearer {{line tokens.txt}}"}, []string{"--header", "Authorization: Bearer {{line tokens.txt}}"}},
		{[]string{"-H", "X-Session-Token: {{env TOKEN}}"}, []string{"-H", "X-Session-Token: {{env TOKEN}}"}},
	}
	for _, tt := range tests {
		got := RedactArgs(tt.in)
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("RedactArgs(%v) = %v, want %v", tt.in, got, tt.want)
		}
		if strings.Contains(strings.Join(tt.in, " "), "[redacted]") {
			t.Errorf("RedactArgs changed its input")
		}
	}
}

// TestProgress: a running process progresses, a stopped one does not.
func TestProgress(t *testing.T) {
	cmd := exec.Command("sh", "-c", "while :; do :; done")
	c, err := startChild("spinner", cmd, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.kill(true)
	alive := progress(c.pid())
	deadline := time.Now().Add(5 * time.Second)
	for !alive() {
		if time.Now().After(deadline) {
			t.Fatal("a spinning process does not progress")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(5 * time.Second)
	for alive() {
		if time.Now().After(deadline) {
			t.Fatal("a stopped process still progresses")
		}
		time.Sleep(10 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGCONT)
}
