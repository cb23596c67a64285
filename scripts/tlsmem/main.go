// Command tlsmem measures what a TLS (wss) connection costs through
// tlsrelay's sidecars, against a plain (ws) one, on this machine:
//
//	mem   hold -conns idle upgraded connections, client sidecars in one
//	      child process and server sidecars in another (each TLS
//	      connection takes three descriptors on each side: the TCP socket
//	      and the socketpair's two ends, and a process may open 20 000),
//	      and report the resident memory per connection of each process
//	      (after two GCs and FreeOSMemory, so live memory), its Go heap and
//	      stacks, and the growth of the kernel's slab (host-wide: both
//	      sides' sockets).
//	rate  -rate-n connection attempts, -concurrency at a time, each TCP +
//	      upgrade (plain, dialed on the client's event loop as the load
//	      generator does), TCP + TLS + upgrade with full handshakes, and
//	      with TLS 1.3 session resumption (a session cache shared by the
//	      process); each connection is closed once upgraded.
//
// Both children run an evloop.Loop that owns the connections' ends, as
// the load generator and the server-under-test do; the server upgrades
// with gobwas/ws in the accepting goroutine (over the tls.Conn for TLS)
// and then hands the socketpair's end (or the detached socket) to its
// loop. Certificates are ECDSA P-256, made at start. Everything runs on
// 127.0.0.0/8; every batch is bounded in count and in time (5 minutes).
//
//	go run ./scripts/tlsmem -what mem,rate -conns 5000 -rate-n 3000 -concurrency 256
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/stormbench/stormbench/internal/tlsrelay"
)

func main() {
	what := flag.String("what", "mem,rate", "measurements to make: mem, rate")
	conns := flag.Int("conns", 5000, "idle connections to hold (mem; ≤ 6 000: three descriptors each per process)")
	rateN := flag.Int("rate-n", 3000, "connection attempts per mode (rate)")
	conc := flag.Int("concurrency", 256, "attempts in flight at once")
	curves := flag.String("curves", "default,x25519,p256", "key exchanges to measure the TLS rate with: default (Go's: X25519MLKEM768 first), x25519, p256")
	childKind := flag.String("child", "", "internal: run as the server or client child")
	cert := flag.String("cert", "", "internal: server certificate (PEM)")
	key := flag.String("key", "", "internal: server key (PEM)")
	tlsAddr := flag.String("tls-addr", "", "internal: the server child's TLS address")
	plainAddr := flag.String("plain-addr", "", "internal: the server child's plain address")
	flag.Parse()

	var err error
	switch *childKind {
	case "server":
		err = runServer(*cert, *key)
	case "client":
		err = runClient(*tlsAddr, *plainAddr, *cert)
	case "":
		if *conns < 1 || *conns > 6000 || *rateN < 1 || *conc < 1 {
			fmt.Fprintln(os.Stderr, "tlsmem: need 1 ≤ -conns ≤ 6000, -rate-n ≥ 1, -concurrency ≥ 1")
			os.Exit(2)
		}
		err = runParent(*what, *conns, *rateN, *conc, *curves)
	default:
		err = fmt.Errorf("unknown child %q", *childKind)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tlsmem:", err)
		os.Exit(1)
	}
}

// pair is a server child and a client child connected to it.
type pair struct{ srv, cli *child }

func startPair(dir string) (*pair, error) {
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	srv, err := spawn("-child", "server", "-cert", certFile, "-key", keyFile)
	if err != nil {
		return nil, err
	}
	l, err := srv.line()
	if err != nil {
		srv.stop()
		return nil, err
	}
	f := strings.Fields(l)
	if len(f) != 3 || f[0] != "ready" {
		srv.stop()
		return nil, fmt.Errorf("server child said %q", l)
	}
	cli, err := spawn("-child", "client", "-cert", certFile, "-tls-addr", f[1], "-plain-addr", f[2])
	if err != nil {
		srv.stop()
		return nil, err
	}
	return &pair{srv: srv, cli: cli}, nil
}

func (p *pair) stop() {
	p.cli.stop()
	p.srv.stop()
}

func runParent(what string, conns, rateN, conc int, curves string) error {
	dir, err := os.MkdirTemp("", "tlsmem")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	certPEM, keyPEM, err := tlsrelay.GenerateSelfSigned([]string{"127.0.0.1"})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), certPEM, 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), keyPEM, 0o600); err != nil {
		return err
	}
	for _, w := range strings.Split(what, ",") {
		switch strings.TrimSpace(w) {
		case "mem":
			fmt.Printf("memory per idle upgraded connection, %d connections, %d attempts in flight while connecting\n", conns, conc)
			fmt.Printf("%-6s %12s %12s %12s %12s %12s %12s %12s\n", "mode", "client RSS", "client heap", "client stack", "server RSS", "server heap", "server stack", "kernel slab")
			for _, m := range []mode{modePlain, modeTLS} {
				if err := measureMem(dir, m, conns, conc, strings.Split(curves, ",")[0]); err != nil {
					return err
				}
			}
			fmt.Printf("(bytes per connection; key exchange %s; kernel slab is host-wide, both sides' sockets)\n", strings.Split(curves, ",")[0])
		case "rate":
			if err := measureRate(dir, rateN, conc, strings.Split(curves, ",")); err != nil {
				return err
			}
		default:
			return fmt.Errorf("-what: unknown %q (mem, rate)", w)
		}
	}
	return nil
}

// measureMem holds n idle connections of mode m in fresh children and
// prints the growth of each side's memory and the kernel's per connection.
func measureMem(dir string, m mode, n, conc int, curve string) error {
	p, err := startPair(dir)
	if err != nil {
		return err
	}
	defer p.stop()
	if _, err := p.cli.do("curve " + curve); err != nil {
		return err
	}
	snap := func() (srv, cli string, sl int64, err error) {
		for _, c := range []*child{p.srv, p.cli} {
			if _, err = c.do("gc"); err != nil {
				return
			}
		}
		if srv, err = p.srv.do("stats"); err != nil {
			return
		}
		if cli, err = p.cli.do("stats"); err != nil {
			return
		}
		return srv, cli, stableSlab(), nil
	}
	s0, c0, sl0, err := snap()
	if err != nil {
		return err
	}
	res, err := p.cli.do(fmt.Sprintf("open %d %d %s", n, conc, m))
	if err != nil {
		return err
	}
	if field(res, "failed") != 0 {
		return fmt.Errorf("%s: %s", m, res)
	}
	// The server counts a connection once its loop owns it.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		s, err := p.srv.do("stats")
		if err != nil {
			return err
		}
		if field(s, "conns") >= int64(n) {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("server holds %d of %d connections", field(s, "conns"), n)
		}
	}
	s1, c1, sl1, err := snap()
	if err != nil {
		return err
	}
	per := func(a, b, key string) int64 { return (field(b, key) - field(a, key)) / int64(n) }
	fmt.Printf("%-6s %12d %12d %12d %12d %12d %12d %12d\n", m,
		per(c0, c1, "rss"), per(c0, c1, "heap"), per(c0, c1, "stack"),
		per(s0, s1, "rss"), per(s0, s1, "heap"), per(s0, s1, "stack"), (sl1-sl0)/int64(n))
	_, err = p.cli.do("close")
	return err
}

// stableSlab reads the slab size five times, 100 ms apart, and returns
// the median: the kernel frees slab objects lazily (RCU, per-CPU caches).
func stableSlab() int64 {
	var v [5]int64
	for i := range v {
		if i > 0 {
			time.Sleep(100 * time.Millisecond)
		}
		v[i] = slab()
	}
	for i := range v {
		for j := i + 1; j < len(v); j++ {
			if v[j] < v[i] {
				v[i], v[j] = v[j], v[i]
			}
		}
	}
	return v[2]
}

// measureRate runs n attempts of each mode, conc at a time.
func measureRate(dir string, n, conc int, curves []string) error {
	p, err := startPair(dir)
	if err != nil {
		return err
	}
	defer p.stop()
	fmt.Printf("handshake rate: %d attempts per mode, %d in flight; each closed once upgraded\n", n, conc)
	fmt.Println("(cpu: CPU time per connection of the client and the server process, what bounds the rate on an idle")
	fmt.Println(" machine; drops: packets the kernel dropped meanwhile, each a retransmission timeout)")
	type step struct {
		m     mode
		curve string
	}
	steps := []step{{modePlain, ""}}
	for _, c := range curves {
		steps = append(steps, step{modeTLS, c}, step{modeTLSResume, c})
	}
	for _, st := range steps {
		m := st.m
		if st.curve != "" {
			if _, err := p.cli.do("curve " + st.curve); err != nil {
				return err
			}
		}
		drops := loopbackDrops()
		s0, err1 := p.srv.do("stats")
		c0, err2 := p.cli.do("stats")
		res, err := p.cli.do(fmt.Sprintf("rate %d %d %s", n, conc, m))
		if err := errors.Join(err1, err2, err); err != nil {
			return err
		}
		s1, err1 := p.srv.do("stats")
		c1, err2 := p.cli.do("stats")
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		cpuC := time.Duration((field(c1, "cpu") - field(c0, "cpu")) / int64(n))
		cpuS := time.Duration((field(s1, "cpu") - field(s0, "cpu")) / int64(n))
		name := m.String()
		if st.curve != "" {
			name += "/" + st.curve
		}
		fmt.Printf("%-18s cpu/conn client=%s server=%s drops=%d  %s\n", name, cpuC.Round(time.Microsecond), cpuS.Round(time.Microsecond), loopbackDrops()-drops, res)
		// Let the server's loop close what the client closed before the
		// next mode competes with it for the CPU.
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			s, err := p.srv.do("stats")
			if err != nil {
				return err
			}
			if field(s, "conns") == 0 {
				break
			}
		}
	}
	return nil
}
