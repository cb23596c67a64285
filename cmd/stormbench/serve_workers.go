package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"

	sut "github.com/stormbench/stormbench/server-under-test"
	"golang.org/x/sys/unix"
)

// serveGroup runs the server-under-test as n worker processes that share
// one port with SO_REUSEPORT; this process serves the control API for all
// of them (faults fan out, stats merge).
func serveGroup(ctx context.Context, cfg sut.Config, n int, announce bool, stdout, stderr io.Writer) error {
	rc := cfg.Resolve()
	if rc.ControlToken == "" {
		rc.ControlToken = randomToken()
	}
	// Reserve the port (bound, not listening: the kernel routes nothing to
	// it) so that ":0" becomes one concrete port every worker joins.
	addr, release, err := reservePort(rc.Listen)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer release()
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("serve: find own executable: %w", err)
	}
	start := time.Now()
	epoch := rc.Epoch
	if epoch.IsZero() {
		epoch = start
	}
	var cmds []*exec.Cmd
	stopAll := func() {
		var wg sync.WaitGroup
		for _, c := range cmds {
			wg.Add(1)
			go func() { defer wg.Done(); stopChild(c, 10*time.Second) }()
		}
		wg.Wait()
	}
	group := &sut.Group{}
	for i := 0; i < n; i++ {
		args := workerArgs(rc, i, n, addr, epoch, start)
		c, ann, err := spawnAnnounced(exe, args, stderr, 30*time.Second)
		if err != nil {
			stopAll()
			return fmt.Errorf("serve: worker %d: %w", i, err)
		}
		cmds = append(cmds, c)
		group.Workers = append(group.Workers, &sut.ControlClient{Base: ann.Control, Token: rc.ControlToken})
	}
	release()
	ln, err := net.Listen("tcp", rc.Control)
	if err != nil {
		stopAll()
		return fmt.Errorf("serve: control listen %s: %w", rc.Control, err)
	}
	srv := &http.Server{Handler: sut.ControlHandler(group, rc.ControlToken), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	wsURL := "ws://" + addr + rc.Path
	ctlURL := "http://" + ln.Addr().String()
	if announce {
		b, _ := json.Marshal(announcement{WS: wsURL, Control: ctlURL, Token: rc.ControlToken, PID: os.Getpid()})
		fmt.Fprintln(stdout, string(b))
	} else {
		fmt.Fprintf(stdout, "stormbench serve: %d workers listening on %s\n", n, wsURL)
		fmt.Fprintf(stdout, "control API: %s  (Authorization: Bearer %s)\n", ctlURL, rc.ControlToken)
	}
	// A worker that dies takes the group down: a partial server would
	// measure something else than what was asked.
	died := make(chan error, n)
	for i, c := range cmds {
		go func() {
			err := c.Wait()
			died <- fmt.Errorf("worker %d exited: %v", i, err)
		}()
	}
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-died:
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	for _, c := range cmds {
		if c.ProcessState == nil {
			_ = c.Process.Signal(unix.SIGTERM)
		}
	}
	deadline := time.After(10 * time.Second)
	for range cmds {
		select {
		case <-died:
		case <-deadline:
			for _, c := range cmds {
				_ = c.Process.Kill()
			}
			return errors.Join(runErr, errors.New("serve: workers did not stop within 10s"))
		}
	}
	if runErr != nil && ctx.Err() == nil {
		return fmt.Errorf("serve: %w", runErr)
	}
	return nil
}

// workerArgs are the flags of worker i of n: the group's settings with the
// connection limit, accept rate and seed split between workers.
func workerArgs(c sut.Config, i, n int, addr string, epoch, seriesStart time.Time) []string {
	w := c
	if c.MaxConns > 0 {
		w.MaxConns = (c.MaxConns + n - 1) / n
	}
	if c.AcceptBurst > 0 {
		w.AcceptBurst = max(1, c.AcceptBurst/n)
	}
	w.AcceptRate = c.AcceptRate / float64(n)
	w.Seed = c.Seed + uint64(i)
	return append([]string{"serve", "--workers", "1", "--announce", "--reuse-port",
		"--listen", addr, "--control", "127.0.0.1:0", "--control-token", c.ControlToken,
		"--epoch-unix-ns", strconv.FormatInt(epoch.UnixNano(), 10),
		"--series-start-unix-ns", strconv.FormatInt(seriesStart.UnixNano(), 10),
	}, serveFlagArgs(w)...)
}

// reservePort binds (without listening) a SO_REUSEPORT socket to addr and
// returns the concrete address; release closes it once the workers listen.
func reservePort(addr string) (string, func(), error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", nil, fmt.Errorf("--listen %q: %w", addr, err)
	}
	ip := net.ParseIP(host)
	if ip == nil {
		ips, err := net.LookupIP(host)
		if err != nil || len(ips) == 0 {
			return "", nil, fmt.Errorf("--listen %q: cannot resolve host", addr)
		}
		ip = ips[0]
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return "", nil, fmt.Errorf("--listen %q: bad port", addr)
	}
	family := unix.AF_INET
	if ip.To4() == nil {
		family = unix.AF_INET6
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return "", nil, fmt.Errorf("reserve port: %w", err)
	}
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
	var sa unix.Sockaddr
	if family == unix.AF_INET {
		a := &unix.SockaddrInet4{Port: p}
		copy(a.Addr[:], ip.To4())
		sa = a
	} else {
		a := &unix.SockaddrInet6{Port: p}
		copy(a.Addr[:], ip.To16())
		sa = a
	}
	if err := unix.Bind(fd, sa); err != nil {
		unix.Close(fd)
		return "", nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	got, err := unix.Getsockname(fd)
	if err != nil {
		unix.Close(fd)
		return "", nil, fmt.Errorf("reserve port: %w", err)
	}
	switch a := got.(type) {
	case *unix.SockaddrInet4:
		p = a.Port
	case *unix.SockaddrInet6:
		p = a.Port
	}
	var once sync.Once
	return net.JoinHostPort(ip.String(), strconv.Itoa(p)), func() { once.Do(func() { unix.Close(fd) }) }, nil
}
