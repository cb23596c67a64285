package main

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/stormbench/stormbench/internal/evloop"
	"github.com/stormbench/stormbench/internal/handshake"
	"github.com/stormbench/stormbench/internal/tlsrelay"
)

// mode is how the client connects.
type mode uint8

const (
	modePlain     mode = iota // TCP + upgrade, on the loop (as loadgen dials)
	modeTLS                   // TCP + TLS (sidecar) + upgrade, full handshakes
	modeTLSResume             // the same with a shared session cache
)

var modeNames = []string{"plain", "tls", "tls-resume"}

func (m mode) String() string { return modeNames[m] }

func parseMode(s string) (mode, error) {
	for i, n := range modeNames {
		if n == s {
			return mode(i), nil
		}
	}
	return 0, fmt.Errorf("mode must be plain, tls or tls-resume (got %q)", s)
}

// client is the client child: connections whose ends one event loop owns,
// as in the load generator. TLS ones get their socketpair end from
// tlsrelay.Dial and write the upgrade request at once.
type client struct {
	loop  *evloop.Loop
	clock func() time.Duration
	addrs [3]netip.AddrPort // per mode
	tmpl  [3]*handshake.Template
	cfg   [3]*tlsrelay.ClientConfig
	srcs  []netip.Addr
	held  []*clientConn
	run   *run
	req   []byte
	keys  uint64
}

// run is one command's batch of attempts (loop-owned).
type run struct {
	mode                    mode
	n, conc                 int
	started, ended, resumed int
	hold                    bool
	begin, elapsed          time.Duration
	total, tcp, tlsT, upg   []time.Duration
	fails                   map[string]int
	done                    chan struct{}
}

func runClient(tlsAddr, plainAddr, caFile string) error {
	pemCA, err := os.ReadFile(caFile)
	if err != nil {
		return err
	}
	pool, err := tlsrelay.CertPool(pemCA)
	if err != nil {
		return err
	}
	begin := time.Now()
	clock := func() time.Duration { return time.Since(begin) }
	l, err := evloop.New(clock, evloop.Options{})
	if err != nil {
		return err
	}
	go l.Run()
	cl := &client{loop: l, clock: clock}
	for i, a := range []string{plainAddr, tlsAddr, tlsAddr} {
		if cl.addrs[i], err = netip.ParseAddrPort(a); err != nil {
			return err
		}
		scheme := "ws"
		if i > 0 {
			scheme = "wss"
		}
		if cl.tmpl[i], err = handshake.NewTemplate(&url.URL{Scheme: scheme, Host: a, Path: "/ws"}, handshake.Options{}); err != nil {
			return err
		}
	}
	base := &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	cl.cfg[modeTLS] = &tlsrelay.ClientConfig{TLS: base, Clock: clock, ConnectTimeout: 10 * time.Second}
	resume := base.Clone()
	resume.ClientSessionCache = tls.NewLRUClientSessionCache(64)
	cl.cfg[modeTLSResume] = &tlsrelay.ClientConfig{TLS: resume, Clock: clock, ConnectTimeout: 10 * time.Second}
	// Source addresses 127.0.0.2–9: eight port ranges, so that the
	// TIME_WAITs of a rate run do not run the loopback out of ports.
	for i := 2; i <= 9; i++ {
		cl.srcs = append(cl.srcs, netip.AddrFrom4([4]byte{127, 0, 0, byte(i)}))
	}
	out := bufio.NewWriter(os.Stdout)
	return serveCommands(out, cl.command)
}

func (cl *client) command(cmd string, args []string) (string, error) {
	switch cmd {
	case "open", "rate":
		if len(args) != 3 {
			return "", fmt.Errorf("%s N CONCURRENCY MODE", cmd)
		}
		n, err1 := strconv.Atoi(args[0])
		c, err2 := strconv.Atoi(args[1])
		m, err3 := parseMode(args[2])
		if err := errors.Join(err1, err2, err3); err != nil {
			return "", err
		}
		return cl.batch(n, c, m, cmd == "open")
	case "close":
		done := make(chan int)
		cl.loop.Submit(func() {
			n := len(cl.held)
			for _, c := range cl.held {
				_ = cl.loop.CloseFD(c.fd, false)
			}
			cl.held = nil
			done <- n
		})
		return fmt.Sprintf("closed=%d", <-done), nil
	case "curve":
		// The key exchanges the client offers (the server takes any).
		if len(args) != 1 {
			return "", errors.New("curve default|x25519|p256")
		}
		var ids []tls.CurveID
		switch args[0] {
		case "default":
		case "x25519":
			ids = []tls.CurveID{tls.X25519}
		case "p256":
			ids = []tls.CurveID{tls.CurveP256}
		default:
			return "", fmt.Errorf("curve: unknown %q", args[0])
		}
		done := make(chan struct{})
		cl.loop.Submit(func() {
			for _, m := range []mode{modeTLS, modeTLSResume} {
				c := *cl.cfg[m]
				c.TLS = c.TLS.Clone()
				c.TLS.CurvePreferences = ids
				if m == modeTLSResume {
					c.TLS.ClientSessionCache = tls.NewLRUClientSessionCache(64)
				}
				cl.cfg[m] = &c
			}
			close(done)
		})
		<-done
		return args[0], nil
	case "stats":
		done := make(chan int)
		cl.loop.Submit(func() { done <- len(cl.held) })
		return stats(int64(<-done)), nil
	}
	return "", fmt.Errorf("unknown command %q", cmd)
}

// batch makes n attempts, conc at a time, and reports their rate and
// latencies; hold keeps the connections open.
func (cl *client) batch(n, conc int, m mode, hold bool) (string, error) {
	rn := &run{mode: m, n: n, conc: conc, hold: hold, fails: map[string]int{}, done: make(chan struct{})}
	cl.loop.Submit(func() {
		cl.run = rn
		rn.begin = cl.clock()
		for rn.started < min(conc, n) {
			cl.start()
		}
	})
	select {
	case <-rn.done:
	case <-time.After(5 * time.Minute):
		return "", errors.New("batch did not finish in 5 minutes")
	}
	return rn.report(), nil
}

// report is the batch's reply: successes, failures by cause, the rate,
// the latency percentiles and the mean of each stage.
func (rn *run) report() string {
	ok := len(rn.total)
	return fmt.Sprintf("ok=%d failed=%d resumed=%d secs=%.3f rate=%.0f p50=%s p99=%s tcp=%s tls=%s upgrade=%s fails=%v",
		ok, rn.n-ok, rn.resumed, rn.elapsed.Seconds(), float64(ok)/rn.elapsed.Seconds(),
		pct(rn.total, 50), pct(rn.total, 99), mean(rn.tcp), mean(rn.tlsT), mean(rn.upg), rn.fails)
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)].Round(time.Microsecond)
}

func mean(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	var t time.Duration
	for _, x := range d {
		t += x
	}
	return (t / time.Duration(len(d))).Round(time.Microsecond)
}
