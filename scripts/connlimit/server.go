package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	sut "github.com/stormbench/stormbench/server-under-test"
)

// server is a "stormbench serve" child process.
type server struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has been waited for
	// URL is its WebSocket URL.
	URL string
	// Ctl calls its control API.
	Ctl *sut.ControlClient
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startServer starts bin serve on free loopback ports, without broadcast
// (only connections are measured), and waits until its control API answers.
func startServer(ctx context.Context, bin string) (*server, error) {
	wsPort, err := freePort()
	if err != nil {
		return nil, err
	}
	ctlPort, err := freePort()
	if err != nil {
		return nil, err
	}
	tok := make([]byte, 16)
	_, _ = rand.Read(tok)
	token := hex.EncodeToString(tok)
	ctlAddr := "127.0.0.1:" + strconv.Itoa(ctlPort)
	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:"+strconv.Itoa(wsPort), "--control", ctlAddr,
		"--control-token", token, "--broadcast-interval", "0")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s serve: %w", bin, err)
	}
	s := &server{cmd: cmd, exited: make(chan struct{}), URL: "ws://127.0.0.1:" + strconv.Itoa(wsPort) + "/ws",
		Ctl: &sut.ControlClient{Base: "http://" + ctlAddr, Token: token}}
	go func() {
		_ = cmd.Wait()
		close(s.exited)
	}()
	for {
		if s.Ctl.Healthy(ctx) {
			return s, nil
		}
		select {
		case <-s.exited:
			return nil, errors.New("stormbench serve exited before it was ready")
		case <-ctx.Done():
			s.stop()
			return nil, fmt.Errorf("stormbench serve not ready: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// cpu returns the server's CPU time so far (0 when /stats fails).
func (s *server) cpu(ctx context.Context) time.Duration {
	st, err := s.Ctl.Stats(ctx, false)
	if err != nil {
		return 0
	}
	return time.Duration(st.Process.CPUSeconds * float64(time.Second))
}

// waitClosed waits until the server holds no connection.
func (s *server) waitClosed(ctx context.Context) error {
	for {
		st, err := s.Ctl.Stats(ctx, false)
		if err == nil && st.Counters.Open == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the server still holds connections: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop ends the server with SIGTERM (it closes its clients with 1001),
// then SIGKILL after 5 s.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}
