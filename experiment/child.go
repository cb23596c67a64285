package experiment

import (
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// child is a process the coordinator started: the embedded server (or the
// parent of its workers) or a load-generator worker. Its exit is watched
// from the moment it starts.
type child struct {
	name string
	cmd  *exec.Cmd
	tail *tailWriter
	// exited is closed when the process has exited and been reaped.
	exited  chan struct{}
	waitErr error
	// expected marks an exit the coordinator caused (a crash fault, the
	// end of the run): it is not a failure.
	expected atomic.Bool
}

// startChild starts cmd as a child named name. Its stderr goes to stderr
// (whatever happens to that) and its last lines are kept for messages.
// The child gets its own process group, so that the terminal's Ctrl-C
// reaches only the coordinator, which may still need it, and dies with
// the coordinator.
func startChild(name string, cmd *exec.Cmd, stderr io.Writer) (*child, error) {
	c := &child{name: name, cmd: cmd, tail: &tailWriter{max: 2048}, exited: make(chan struct{})}
	cmd.Stderr = &teeWriter{w: stderr, tail: c.tail}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		c.waitErr = cmd.Wait()
		close(c.exited)
	}()
	return c, nil
}

// pid returns the child's process ID.
func (c *child) pid() int { return c.cmd.Process.Pid }

// alive reports whether the child has not exited yet.
func (c *child) alive() bool {
	select {
	case <-c.exited:
		return false
	default:
		return true
	}
}

// status describes how the child ended: "exit status 3", "signal: killed".
func (c *child) status() string {
	<-c.exited
	if c.waitErr == nil {
		return "exit status 0"
	}
	return c.waitErr.Error()
}

// kill sends SIGKILL (an expected exit when expected is set) and waits.
func (c *child) kill(expected bool) {
	if expected {
		c.expected.Store(true)
	}
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.exited
}

// stop asks the child to exit with SIGTERM and kills it after grace.
func (c *child) stop(grace time.Duration) {
	c.expected.Store(true)
	if !c.alive() {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
	case <-time.After(grace):
		_ = c.cmd.Process.Signal(syscall.SIGKILL)
		<-c.exited
	}
}

// teeWriter copies a child's stderr to w and into a tail. Errors of w (a
// closed terminal or pipe) are ignored: if the copy stopped, the child
// would block on a full stderr pipe.
type teeWriter struct {
	w    io.Writer
	tail *tailWriter
}

func (t *teeWriter) Write(p []byte) (int, error) {
	_, _ = t.tail.Write(p)
	if t.w != nil {
		_, _ = t.w.Write(p)
	}
	return len(p), nil
}

// tailWriter keeps the last max bytes written to it.
type tailWriter struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailWriter) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

// lastLine returns the last non-empty line written, trimmed.
func (t *tailWriter) lastLine() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := bytes.Split(bytes.TrimSpace(t.buf), []byte("\n"))
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(string(lines[i])); l != "" {
			return l
		}
	}
	return ""
}
