package experiment

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/stormbench/stormbench/loadgen"
)

// execStopGrace is how long a fault command stopped at the recover
// timeout gets between SIGTERM and SIGKILL.
const execStopGrace = 5 * time.Second

// execWaitDelay is how long the output of a command that exited is still
// collected from children it left running.
const execWaitDelay = time.Second

// faultCommand is the command of an exec fault (a deploy, a restart): run
// with sh -c in a process group of its own, so that stopping it stops
// what it started; its output goes to stderr, each line marked, and to
// fault-K.log in the results folder, written under a temporary name and
// renamed when the command ends.
type faultCommand struct {
	res     loadgen.ExecResult
	cmd     *exec.Cmd
	out     *lineTee
	logFile *os.File
	logTmp  string
	start   time.Time
	done    chan struct{}
	stop    sync.Once
}

// startFaultCommand starts command for storm k; T0 is the instant it was
// started.
func startFaultCommand(command, dir string, k int, stderr io.Writer, tty bool) (*faultCommand, time.Time, error) {
	name := fmt.Sprintf("fault-%d.log", k+1)
	fc := &faultCommand{res: loadgen.ExecResult{Command: command, Log: name, ExitCode: -1}, done: make(chan struct{})}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, time.Time{}, fmt.Errorf("exec fault: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("exec fault: %w", err)
	}
	fc.logFile, fc.logTmp = f, f.Name()
	prefix := "[exec] "
	if tty {
		prefix = "\r\x1b[K[exec] " // over the status line being rewritten
	}
	fc.out = &lineTee{log: f, term: stderr, prefix: prefix}
	cmd := exec.Command("/bin/sh", "-c", command)
	cmd.Stdout, cmd.Stderr = fc.out, fc.out
	cmd.Env = append(os.Environ(), "STORMBENCH_STORM="+strconv.Itoa(k+1), "STORMBENCH_RESULTS="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A command that starts a server in the background (node server.js &)
	// leaves it holding the output pipe: the command is over when the
	// shell exits, whatever its children still write.
	cmd.WaitDelay = execWaitDelay
	fc.cmd = cmd
	fc.start = time.Now()
	if err := cmd.Start(); err != nil {
		fc.res.Error = err.Error()
		fc.finish()
		close(fc.done)
		return fc, fc.start, nil
	}
	go func() {
		err := cmd.Wait()
		fc.res.Duration = time.Since(fc.start)
		var ee *exec.ExitError
		switch {
		case err == nil:
			fc.res.ExitCode = 0
		case errors.Is(err, exec.ErrWaitDelay) && cmd.ProcessState != nil && cmd.ProcessState.Exited():
			// Exited; a background child kept the output open.
			fc.res.ExitCode = cmd.ProcessState.ExitCode()
		case errors.As(err, &ee) && ee.Exited():
			fc.res.ExitCode = ee.ExitCode()
		case errors.As(err, &ee):
			if fc.res.Error == "" {
				fc.res.Error = ee.String() // "signal: killed"
			}
		default:
			fc.res.Error = err.Error()
		}
		fc.finish()
		close(fc.done)
	}()
	return fc, fc.start, nil
}

// Done implements loadgen.FaultProcess.
func (fc *faultCommand) Done() <-chan struct{} { return fc.done }

// Stop implements loadgen.FaultProcess: a command still running when the
// storm's window closes gets SIGTERM, then SIGKILL, with its whole
// process group.
func (fc *faultCommand) Stop() loadgen.ExecResult {
	fc.stop.Do(func() {
		select {
		case <-fc.done:
			return
		default:
		}
		pgid := fc.cmd.Process.Pid
		fc.res.Error = fmt.Sprintf("still running after %.1fs when the storm's window closed; stopped", time.Since(fc.start).Seconds())
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-fc.done:
		case <-time.After(execStopGrace):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-fc.done
		}
	})
	<-fc.done
	return fc.res
}

// finish flushes the output and gives the log its name.
func (fc *faultCommand) finish() {
	fc.out.flush()
	if err := fc.logFile.Close(); err != nil && fc.res.Error == "" {
		fc.res.Error = "write log: " + err.Error()
	}
	if err := os.Rename(fc.logTmp, filepath.Join(filepath.Dir(fc.logTmp), fc.res.Log)); err != nil && fc.res.Error == "" {
		fc.res.Error = "write log: " + err.Error()
	}
}

// lineTee writes everything to log and each complete line, prefixed, to
// term. exec.Cmd serialises writes when Stdout and Stderr are the same
// writer.
type lineTee struct {
	log    io.Writer
	term   io.Writer
	prefix string
	mu     sync.Mutex
	part   []byte
}

func (t *lineTee) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, err := t.log.Write(p); err != nil {
		return 0, err
	}
	t.part = append(t.part, p...)
	for {
		i := bytes.IndexByte(t.part, '\n')
		if i < 0 {
			break
		}
		// A terminal that went away must not fail the command.
		_, _ = fmt.Fprintf(t.term, "%s%s\n", t.prefix, t.part[:i])
		t.part = t.part[i+1:]
	}
	return len(p), nil
}

func (t *lineTee) flush() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.part) > 0 {
		_, _ = fmt.Fprintf(t.term, "%s%s\n", t.prefix, t.part)
		t.part = nil
	}
}
