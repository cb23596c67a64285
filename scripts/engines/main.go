package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

func main() {
	var o options
	var cc childConfig
	child := flag.Bool("child", false, "internal: run one client process of a trial")
	flag.StringVar(&o.engines, "engines", "evloop,gnet,nbio", "engines to compare, in the order of the first round")
	flag.StringVar(&o.sizes, "sizes", "10000,50000", "fleet sizes of the hold trials (ramp, then heartbeats)")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds; each runs every engine once per trial kind, in rotated order")
	flag.Float64Var(&o.rate, "rate", 1000, "connect ramp of the hold trials, clients per second")
	flag.DurationVar(&o.interval, "interval", 10*time.Second, "heartbeat interval (timeout 3×)")
	flag.DurationVar(&o.hold, "hold", 60*time.Second, "hold window measured")
	flag.DurationVar(&o.settle, "settle", 0, "from the end of the ramp to the hold window (default: the interval)")
	flag.IntVar(&o.burst, "burst", 10000, "fleet size of the connect-rate trial, 0 = none")
	flag.Float64Var(&o.burstRate, "burst-rate", 50000, "schedule of the connect-rate trial, clients per second (above what the machine can do)")
	flag.IntVar(&o.perProc, "per-proc", 18000, "clients per client process at most (stormbench's own bound: 20 000 open files per process)")
	flag.StringVar(&o.stormbench, "stormbench", "", "stormbench binary whose serve is the server (default: built from the repository)")
	flag.StringVar(&o.repo, "repo", "../..", "the stormbench repository, to build the server from")
	flag.StringVar(&o.profile, "profile", "", "write each client process's CPU profile into this directory")
	flag.StringVar(&o.out, "out", "", "write every trial's figures and the children's raw results as JSON here")

	flag.StringVar(&cc.Engine, "engine", "", "internal: child's engine")
	flag.IntVar(&cc.N, "n", 0, "internal: whole fleet")
	flag.IntVar(&cc.Procs, "procs", 1, "internal: client processes")
	flag.IntVar(&cc.Index, "index", 0, "internal: this process's index")
	flag.IntVar(&cc.Loops, "loops", 1, "internal: event loops")
	flag.StringVar(&cc.Addr, "addr", "", "internal: server host:port")
	flag.Int64Var(&cc.T0, "t0", 0, "internal: ramp start, Unix ns")
	flag.DurationVar(&cc.Settle, "child-settle", 0, "internal: settle")
	flag.DurationVar(&cc.Hold, "child-hold", 0, "internal: hold")
	flag.DurationVar(&cc.ConnectTimeout, "connect-timeout", 10*time.Second, "internal: connect timeout")
	cpuprofile := flag.String("cpuprofile", "", "internal: write the child's CPU profile here")
	result := flag.String("result", "", "internal: file the child writes its result to (libraries log on stdout)")
	flag.Parse()

	if *child {
		cc.Rate, cc.Interval, cc.Timeout = o.rate, o.interval, 3*o.interval
		if *cpuprofile != "" {
			pf, err := os.Create(*cpuprofile)
			if err == nil {
				_ = pprof.StartCPUProfile(pf)
				defer pprof.StopCPUProfile()
			}
		}
		if err := runChild(cc, *result); err != nil {
			pprof.StopCPUProfile()
			fmt.Fprintln(os.Stderr, "engines child:", err)
			os.Exit(1)
		}
		return
	}
	if err := o.check(); err != nil {
		fmt.Fprintln(os.Stderr, "engines:", err)
		os.Exit(2)
	}
	if err := run(&o); err != nil {
		fmt.Fprintln(os.Stderr, "engines:", err)
		os.Exit(1)
	}
}

// options are the comparison's settings.
type options struct {
	engines, sizes         string
	rounds                 int
	rate, burstRate        float64
	interval, hold, settle time.Duration
	burst, perProc         int
	stormbench, repo, out  string
	profile                string
	engineList             []string
	sizeList               []int
}

func (o *options) check() error {
	for _, e := range strings.Split(o.engines, ",") {
		e = strings.TrimSpace(e)
		if _, err := newEngine(e); err != nil {
			return fmt.Errorf("-engines: %w", err)
		}
		o.engineList = append(o.engineList, e)
	}
	if o.sizes != "" {
		for _, s := range strings.Split(o.sizes, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n < 1 {
				return fmt.Errorf("-sizes: %q is not a positive count", s)
			}
			o.sizeList = append(o.sizeList, n)
		}
	}
	switch {
	case o.rounds < 1:
		return fmt.Errorf("-rounds must be ≥ 1 (got %d)", o.rounds)
	case o.rate <= 0 || o.burstRate <= 0:
		return fmt.Errorf("-rate and -burst-rate must be > 0")
	case o.interval <= 0 || o.hold <= 0 || o.settle < 0:
		return fmt.Errorf("-interval and -hold must be > 0, -settle ≥ 0")
	case o.burst < 0:
		return fmt.Errorf("-burst must be ≥ 0 (got %d)", o.burst)
	case o.perProc < 1 || o.perProc > 18000:
		return fmt.Errorf("-per-proc must be 1…18000 (got %d)", o.perProc)
	case len(o.sizeList) == 0 && o.burst == 0:
		return fmt.Errorf("nothing to run: no -sizes and -burst 0")
	}
	if o.settle == 0 {
		o.settle = o.interval
	}
	return nil
}
