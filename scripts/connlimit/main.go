package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	if os.Getenv(childEnv) == childMode {
		os.Exit(runAcceptor())
	}
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "connlimit:", err)
		os.Exit(2)
	}
}

// options are connlimit's flags.
type options struct {
	mode        mode
	nTCP, nWS   int
	workers     []int
	concurrency []int
	rounds      int
	timeout     time.Duration
	budget      time.Duration
	bin         string
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("connlimit", flag.ContinueOnError)
	m := fs.String("mode", "all", "what to measure: all, tcp or ws")
	fs.IntVar(&o.nTCP, "n-tcp", 15000, "raw TCP connections per round (each process holds them all)")
	fs.IntVar(&o.nWS, "n-ws", 10000, "WebSocket connections per round")
	w := fs.String("workers", "1,2,4", "raw TCP: goroutines calling connect(2), a list")
	c := fs.String("c", "64,256,1024", "WebSocket: dials in flight at most, a list")
	fs.IntVar(&o.rounds, "rounds", 3, "rounds per setting (the median is reported)")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Second, "timeout of one connect (+ upgrade)")
	fs.DurationVar(&o.budget, "budget", 20*time.Second, "longest time one round may take")
	fs.StringVar(&o.bin, "bin", os.Getenv("STORMBENCH"), "stormbench binary for the ws measurement (default $STORMBENCH)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var err error
	if o.mode, err = parseMode(*m); err != nil {
		return o, err
	}
	if o.workers, err = parseCounts(*w, 256); err != nil {
		return o, fmt.Errorf("-workers: %w", err)
	}
	if o.concurrency, err = parseCounts(*c, 65536); err != nil {
		return o, fmt.Errorf("-c: %w", err)
	}
	if o.rounds < 1 || o.rounds > 10 || o.timeout <= 0 || o.budget <= 0 {
		return o, fmt.Errorf("-rounds 1…10, -timeout and -budget > 0")
	}
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err == nil {
		// Each process holds all its connections plus a few files of its own.
		for _, n := range []int{o.nTCP, o.nWS} {
			if n < 1 || uint64(n)+64 > lim.Cur {
				return o, fmt.Errorf("%d connections per process do not fit the open-file limit %d (keep n ≤ %d)", n, lim.Cur, lim.Cur-64)
			}
		}
	}
	if o.mode.ws() && o.bin == "" {
		return o, fmt.Errorf("the ws measurement needs -bin or $STORMBENCH (a stormbench binary)")
	}
	return o, nil
}

// run measures what the flags ask for and prints one line per round and
// one median line per setting.
func run(args []string, out io.Writer) error {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Fprintf(out, "connlimit: %d cores, load average %s", runtime.NumCPU(), strings.Join(strings.Fields(string(load))[:min(3, len(strings.Fields(string(load))))], " "))
	fmt.Fprintln(out, " — client and server share these cores, as in a stormbench run with the embedded server")
	if o.mode.tcp() {
		for _, w := range o.workers {
			var rates []float64
			for range o.rounds {
				ctx, cancel := context.WithTimeout(context.Background(), o.budget)
				r, err := tcpRound(ctx, o.nTCP, w, o.timeout)
				cancel()
				if err != nil {
					return fmt.Errorf("tcp n=%d workers=%d: %w", o.nTCP, w, err)
				}
				fmt.Fprintf(out, "tcp  n=%d workers=%d: %d connected and accepted in %.3f s (connect() done after %.3f s) = %.0f conn/s; failures %s; CPU connector %.2f s, acceptor %.2f s\n",
					r.N, r.Workers, r.Connected, r.AcceptDur.Seconds(), r.ConnectDur.Seconds(), r.Rate(), r.Fail.String(),
					r.ClientCPU.Seconds(), r.ChildCPU.Seconds())
				rates = append(rates, r.Rate())
			}
			fmt.Fprintf(out, "tcp  n=%d workers=%d: median %.0f conn/s over %d round(s)\n", o.nTCP, w, median(rates), len(rates))
		}
	}
	if o.mode.ws() {
		if err := runWS(o, out); err != nil {
			return err
		}
	}
	return nil
}

func runWS(o options, out io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	srv, err := startServer(ctx, o.bin)
	cancel()
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Fprintf(out, "ws   server: %s serve --broadcast-interval 0 at %s\n", o.bin, srv.URL)
	for _, c := range o.concurrency {
		var rates, p50s, p99s []float64
		for range o.rounds {
			ctx, cancel := context.WithTimeout(context.Background(), o.budget)
			cpu0 := srv.cpu(ctx)
			r, conns := wsRound(ctx, srv.URL, o.nWS, c, o.timeout)
			if cpu0 > 0 {
				r.ServerCPU = srv.cpu(ctx) - cpu0
			}
			cancel()
			closeAll(conns)
			p50, p99 := ms(r.Latency.ValueAtQuantile(50)), ms(r.Latency.ValueAtQuantile(99))
			fmt.Fprintf(out, "ws   n=%d c=%d: %d upgraded in %.3f s = %.0f conn/s; connect latency p50 %.2f ms, p99 %.2f ms, max %.2f ms; failures %s; CPU client %.2f s, server %.2f s\n",
				r.N, r.C, r.Connected, r.Dur.Seconds(), r.Rate(), p50, p99, ms(r.Latency.Max()), r.Fail.String(),
				r.ClientCPU.Seconds(), r.ServerCPU.Seconds())
			rates, p50s, p99s = append(rates, r.Rate()), append(p50s, p50), append(p99s, p99)
			wctx, wcancel := context.WithTimeout(context.Background(), 15*time.Second)
			err := srv.waitClosed(wctx)
			wcancel()
			if err != nil {
				return err
			}
		}
		fmt.Fprintf(out, "ws   n=%d c=%d: median %.0f conn/s, p50 %.2f ms, p99 %.2f ms over %d round(s)\n",
			o.nWS, c, median(rates), median(p50s), median(p99s), len(rates))
	}
	return nil
}

// ms converts microseconds to milliseconds.
func ms(us int64) float64 { return float64(us) / 1000 }

// median returns the median of v (the mean of the middle two for an even
// count), 0 for none.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
