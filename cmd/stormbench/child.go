package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"syscall"
	"time"
)

// spawnAnnounced starts exe with args as a child that prints one JSON
// announcement line on stdout when it is ready, and returns it. The child
// gets its own process group (the terminal's Ctrl-C reaches only the
// parent, which may still need the child) and dies with the parent.
func spawnAnnounced(exe string, args []string, stderr io.Writer, timeout time.Duration) (*exec.Cmd, announcement, error) {
	var ann announcement
	cmd := exec.Command(exe, args...)
	cmd.Stderr = stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, ann, err
	}
	if err := cmd.Start(); err != nil {
		return nil, ann, fmt.Errorf("start %s: %w", exe, err)
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case line, ok := <-lines:
		if ok && json.Unmarshal([]byte(line), &ann) == nil {
			return cmd, ann, nil
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, ann, errors.New("did not start (see its error above)")
	case <-time.After(timeout):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, ann, fmt.Errorf("no answer within %v", timeout)
	}
}

// stopChild asks a child to stop with SIGTERM and kills it after grace.
func stopChild(cmd *exec.Cmd, grace time.Duration) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		_ = cmd.Process.Kill()
		<-done
	}
}
