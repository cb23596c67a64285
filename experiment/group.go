package experiment

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	sut "github.com/stormbench/stormbench/server-under-test"
	"golang.org/x/sys/unix"
)

// serveGroup runs the server-under-test as o.Workers processes that share
// one port with SO_REUSEPORT; this process serves the control API for all
// of them (faults fan out, stats merge). A worker that dies takes the
// group down at once — the others are killed, not closed gracefully, so
// that their clients do not mistake the failure for a clean close — and
// the error names it.
func serveGroup(ctx context.Context, cfg sut.Config, o ServeOptions) error {
	rc := cfg.Resolve()
	if rc.ControlToken == "" {
		rc.ControlToken = NewToken()
	}
	exe := o.Exe
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return fmt.Errorf("serve: find own executable: %w", err)
		}
	}
	// Reserve the port (bound, not listening: the kernel routes nothing to
	// it) so that ":0" becomes one concrete port every worker joins.
	addr, release, err := reservePort(rc.Listen)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer release()
	start := time.Now()
	if rc.Epoch.IsZero() {
		rc.Epoch = start
	}
	var workers []*serverChild
	killAll := func() {
		for _, w := range workers {
			w.kill(true)
		}
	}
	group := &sut.Group{}
	for i := 0; i < o.Workers; i++ {
		spec := serveSpec{Config: workerConfig(rc, i, o.Workers, addr), Workers: 1, SeriesStartUnixNs: start.UnixNano(), TLS: tlsMaterial(rc)}
		w, err := spawnServer(exe, fmt.Sprintf("server worker %d", i), spec, rc.ControlToken, o.Stderr, 30*time.Second)
		if err != nil {
			killAll()
			return fmt.Errorf("serve: %w", err)
		}
		workers = append(workers, w)
		group.Workers = append(group.Workers, &sut.ControlClient{Base: w.ann.Control, Token: rc.ControlToken})
	}
	release()
	ln, err := sut.ListenControl(rc)
	if err != nil {
		killAll()
		return fmt.Errorf("serve: %w", err)
	}
	srv := sut.NewControlServer(group, rc.ControlToken)
	go func() { _ = srv.Serve(ln) }()
	mctx, mcancel := context.WithCancel(ctx)
	defer mcancel()
	if err := serveMetrics(mctx, o, serveSource{workers: o.Workers, stats: func() (sut.Stats, error) { return group.Stats(), nil }}); err != nil {
		killAll()
		_ = srv.Close()
		return err
	}
	wsURL := rc.Scheme() + "://" + addr + rc.Path
	ctlURL := rc.ControlScheme() + "://" + ln.Addr().String()
	if o.Announce {
		announce(o.Stdout, announcement{WS: wsURL, Control: ctlURL, PID: os.Getpid()})
	} else {
		fmt.Fprintf(o.Stdout, "stormbench serve: %d workers listening on %s\n", o.Workers, wsURL)
		fmt.Fprint(o.Stdout, controlLine(ctlURL, rc.ControlToken, o.TokenFrom))
	}
	died := make(chan *serverChild, len(workers))
	for _, w := range workers {
		go func() {
			<-w.exited
			if !w.expected.Load() {
				died <- w
			}
		}()
	}
	var runErr error
	select {
	case <-ctx.Done():
	case w := <-died:
		runErr = fmt.Errorf("%s (pid %d) exited: %s", w.name, w.pid(), w.status())
		killAll()
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() { defer wg.Done(); w.stop(10 * time.Second) }()
	}
	wg.Wait()
	if runErr != nil {
		return fmt.Errorf("serve: %w", runErr)
	}
	return nil
}

// workerConfig is the configuration of worker i of n: the group's, with
// the connection limit, accept rate and seed split between workers.
func workerConfig(c sut.Config, i, n int, addr string) sut.Config {
	w := c
	w.Listen = addr
	// Workers answer only their parent, which serves the group's control
	// API where the user asked.
	w.Control = "127.0.0.1:0"
	w.ControlTLS = false
	w.ReusePort = true
	if c.MaxConns > 0 {
		w.MaxConns = (c.MaxConns + n - 1) / n
	}
	if c.AcceptBurst > 0 {
		w.AcceptBurst = max(1, c.AcceptBurst/n)
	}
	w.AcceptRate = c.AcceptRate / float64(n)
	w.Seed = c.Seed + uint64(i)
	return w
}

// reservePort binds (without listening) a SO_REUSEPORT socket to addr and
// returns the concrete address; release closes it once the workers listen.
func reservePort(addr string) (string, func(), error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", nil, fmt.Errorf("listen address %q: %w", addr, err)
	}
	ip := net.ParseIP(host)
	if ip == nil {
		ips, err := net.LookupIP(host)
		if err != nil || len(ips) == 0 {
			return "", nil, fmt.Errorf("listen address %q: cannot resolve host", addr)
		}
		ip = ips[0]
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return "", nil, fmt.Errorf("listen address %q: bad port", addr)
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
