package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// scenario is one kind of trial: a fleet, its ramp, and a hold window (0:
// the connect-rate trial, which ends once the fleet is open).
type scenario struct {
	n    int
	rate float64
	hold time.Duration
}

func (s scenario) name() string {
	if s.hold == 0 {
		return fmt.Sprintf("connect %d @ %.0f/s", s.n, s.rate)
	}
	return fmt.Sprintf("hold %d", s.n)
}

// trial is one engine on one scenario in one round, and its figures.
type trial struct {
	Scenario string `json:"scenario"`
	Engine   string `json:"engine"`
	Round    int    `json:"round"`
	Clients  int    `json:"clients"`
	Procs    int    `json:"procs"`
	Loops    int    `json:"loops"`
	// Load is the 1-minute load average before the trial, in its hold
	// window, and after it.
	Load [3]float64 `json:"load"`

	Opened, Failed, Dead int64
	// RSSPerConn and HeapPerConn: bytes per open connection.
	RSSPerConn, HeapPerConn float64
	// CPUPerHB: client CPU in the hold window per ping sent in it (µs);
	// ServerCPUPerHB the same for the server, as a control.
	CPUPerHB, ServerCPUPerHB float64
	// AllocsPerHB and AllocsPerConnect: heap objects the clients
	// allocated per ping in the hold window and per connection in the ramp.
	AllocsPerHB, AllocsPerConnect float64
	HoldPings, HoldPongs          int64
	// Timer lateness in the hold window and heartbeat round trip (ms).
	LateP50, LateP99, LateMax, RTTP99 float64
	// The ramp: client CPU per connection (µs), attempt lateness and
	// connect time p99 (ms), and opened connections per second from T0
	// to the last one.
	CPUPerConnect, RampLateP99, ConnectP99, ConnectRate float64
	// RampOverran: the last client opened after the hold window began,
	// so the window's figures include connects.
	RampOverran bool

	Children []childResult `json:"children"`
}

func run(o *options) error {
	bin := o.stormbench
	if bin == "" {
		dir, err := os.MkdirTemp("", "engines")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "stormbench")
		fmt.Fprintf(os.Stderr, "building %s from %s\n", bin, o.repo)
		b := exec.Command("go", "build", "-o", bin, "./cmd/stormbench")
		b.Dir, b.Stdout, b.Stderr = o.repo, os.Stderr, os.Stderr
		if err := b.Run(); err != nil {
			return fmt.Errorf("building stormbench: %w", err)
		}
	}
	stopOnSignal()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var scs []scenario
	for _, n := range o.sizeList {
		scs = append(scs, scenario{n: n, rate: o.rate, hold: o.hold})
	}
	if o.burst > 0 {
		scs = append(scs, scenario{n: o.burst, rate: o.burstRate})
	}
	fmt.Fprintf(os.Stderr, "%d CPUs, load %.2f; %d round(s) of %d scenario(s) × %d engine(s)\n",
		runtime.NumCPU(), loadAvg(), o.rounds, len(scs), len(o.engineList))
	var all []*trial
	for round := 1; round <= o.rounds; round++ {
		for si, sc := range scs {
			// Rotate the order every round and scenario, so that no engine
			// always runs first (or right after the heaviest).
			k := (round - 1 + si) % len(o.engineList)
			order := append(append([]string(nil), o.engineList[k:]...), o.engineList[:k]...)
			for _, eng := range order {
				t, err := runTrial(o, bin, self, sc, eng, round)
				if err != nil {
					return fmt.Errorf("%s, %s, round %d: %w", sc.name(), eng, round, err)
				}
				fmt.Fprintln(os.Stderr, t.line())
				all = append(all, t)
				time.Sleep(3 * time.Second) // let the closed sockets and the CPU settle
			}
		}
	}
	if o.out != "" {
		b, err := json.MarshalIndent(all, "", " ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(o.out, b, 0o644); err != nil {
			return err
		}
	}
	printTables(os.Stdout, o, scs, all)
	return nil
}

// server is one `stormbench serve` process group.
type server struct {
	cmd    *exec.Cmd
	addr   string
	stderr bytes.Buffer
}

// live holds the servers and client processes running, for
// stopOnSignal: the servers are process groups of their own, which an
// interrupt does not reach.
var live sync.Map

// stopOnSignal stops the servers and the client processes and exits when
// the comparison is interrupted.
func stopOnSignal() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ch
		live.Range(func(k, _ any) bool {
			switch p := k.(type) {
			case *server:
				p.stop()
			case *exec.Cmd:
				_ = p.Process.Kill()
			}
			return true
		})
		os.Exit(130)
	}()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func startServer(bin string, loops int) (*server, error) {
	ws, err := freePort()
	if err != nil {
		return nil, err
	}
	ctl, err := freePort()
	if err != nil {
		return nil, err
	}
	tok := make([]byte, 16)
	_, _ = rand.Read(tok)
	s := &server{addr: "127.0.0.1:" + strconv.Itoa(ws)}
	s.cmd = exec.Command(bin, "serve",
		"--listen", s.addr, "--control", "127.0.0.1:"+strconv.Itoa(ctl),
		"--workers", "1", "--loops", strconv.Itoa(loops), "--broadcast-interval", "0")
	s.cmd.Env = append(os.Environ(), "STORMBENCH_CONTROL_TOKEN="+hex.EncodeToString(tok))
	s.cmd.Stderr = &s.stderr
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	live.Store(s, true)
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.addr, time.Second)
		if err == nil {
			c.Close()
			return s, nil
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("server on %s not listening after 15s: %s", s.addr, s.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *server) stop() {
	defer live.Delete(s)
	pgid := s.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-done
	}
}

func runTrial(o *options, bin, self string, sc scenario, eng string, round int) (*trial, error) {
	procs := (sc.n + o.perProc - 1) / o.perProc
	loops := runtime.NumCPU()
	if procs > 1 {
		loops = 1 // several processes already spread the work, as stormbench does
	}
	t := &trial{Scenario: sc.name(), Engine: eng, Round: round, Clients: sc.n, Procs: procs, Loops: loops}
	t.Load[0] = loadAvg()
	// One server process per client process, each on its own port: no
	// destination holds more than one process's connections, so no
	// client needs a source address of its own.
	var servers []*server
	defer func() {
		for _, s := range servers {
			s.stop()
		}
	}()
	pgids := map[int]bool{}
	for range procs {
		s, err := startServer(bin, loops)
		if err != nil {
			return nil, err
		}
		servers = append(servers, s)
		pgids[s.cmd.Process.Pid] = true
	}
	cfg := childConfig{N: sc.n, Rate: sc.rate, Settle: o.settle, Hold: sc.hold, Interval: o.interval}
	t0 := time.Now().Add(3 * time.Second)
	holdStart := t0.Add(cfg.holdStart())
	holdEnd := t0.Add(cfg.holdEnd())
	ctx, cancel := context.WithDeadline(context.Background(), t0.Add(cfg.holdEnd()+cfg.rampEnd()+2*time.Minute))
	defer cancel()
	type kid struct {
		cmd    *exec.Cmd
		result string
	}
	dir, err := os.MkdirTemp("", "engines-trial")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	kids := make([]*kid, procs)
	for p := range procs {
		k := &kid{result: filepath.Join(dir, strconv.Itoa(p)+".json")}
		k.cmd = exec.CommandContext(ctx, self, "-child", "-engine", eng,
			"-n", strconv.Itoa(sc.n), "-procs", strconv.Itoa(procs), "-index", strconv.Itoa(p),
			"-loops", strconv.Itoa(loops), "-addr", servers[p].addr,
			"-t0", strconv.FormatInt(t0.UnixNano(), 10),
			"-rate", strconv.FormatFloat(sc.rate, 'f', -1, 64), "-interval", o.interval.String(),
			"-child-settle", o.settle.String(), "-child-hold", sc.hold.String(), "-result", k.result)
		if o.profile != "" {
			k.cmd.Args = append(k.cmd.Args, "-cpuprofile",
				filepath.Join(o.profile, fmt.Sprintf("%s-%d-r%d-p%d.prof", eng, sc.n, round, p)))
		}
		k.cmd.Stdout, k.cmd.Stderr = os.Stderr, os.Stderr
		if err := k.cmd.Start(); err != nil {
			return nil, err
		}
		live.Store(k.cmd, true)
		kids[p] = k
	}
	var srvCPU time.Duration
	if sc.hold > 0 {
		time.Sleep(time.Until(holdStart))
		c0 := groupCPU(pgids)
		time.Sleep(time.Until(holdEnd))
		srvCPU = groupCPU(pgids) - c0
		t.Load[1] = loadAvg()
	}
	var errs []error
	for _, k := range kids {
		err := k.cmd.Wait()
		live.Delete(k.cmd)
		if err != nil {
			errs = append(errs, fmt.Errorf("client process: %w", err))
			continue
		}
		var r childResult
		b, err := os.ReadFile(k.result)
		if err == nil {
			err = json.Unmarshal(b, &r)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("client process result: %w", err))
			continue
		}
		t.Children = append(t.Children, r)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	t.figures(srvCPU)
	t.RampOverran = sc.hold > 0 && lastOpen(t) > cfg.holdStart()
	t.Load[2] = loadAvg()
	return t, nil
}

func lastOpen(t *trial) time.Duration {
	var l time.Duration
	for _, r := range t.Children {
		l = max(l, r.LastOpen)
	}
	return l
}

// figures derives the trial's figures from its children's results.
func (t *trial) figures(srvCPU time.Duration) {
	var rss, heap int64
	var rampCPU, holdCPU time.Duration
	var rampAllocs, holdAllocs int64
	var lastOpen time.Duration
	var late, rtt, rampLate, conn merged
	for _, r := range t.Children {
		t.Opened += r.Opened
		t.Failed += r.Failed
		t.Dead += r.Dead
		t.HoldPings += r.HoldPings
		t.HoldPongs += r.HoldPongs
		rss += r.RSS1 - r.RSS0
		heap += r.Heap1 - r.Heap0
		rampCPU += r.RampCPU
		holdCPU += r.HoldCPU
		rampAllocs += r.RampAllocs
		holdAllocs += r.HoldAllocs
		lastOpen = max(lastOpen, r.LastOpen)
		late.add(r.HoldLate)
		rtt.add(r.RTT)
		rampLate.add(r.RampLate)
		conn.add(r.Connect)
	}
	if t.Opened > 0 {
		t.RSSPerConn = float64(rss) / float64(t.Opened)
		t.HeapPerConn = float64(heap) / float64(t.Opened)
		t.CPUPerConnect = us(rampCPU) / float64(t.Opened)
		t.AllocsPerConnect = float64(rampAllocs) / float64(t.Opened)
	}
	if t.HoldPings > 0 {
		t.CPUPerHB = us(holdCPU) / float64(t.HoldPings)
		t.ServerCPUPerHB = us(srvCPU) / float64(t.HoldPings)
		t.AllocsPerHB = float64(holdAllocs) / float64(t.HoldPings)
	}
	if lastOpen > 0 {
		t.ConnectRate = float64(t.Opened) / lastOpen.Seconds()
	}
	t.LateP50, t.LateP99, t.LateMax = ms(late.quantile(0.5)), ms(late.quantile(0.99)), ms(late.quantile(1))
	t.RTTP99 = ms(rtt.quantile(0.99))
	t.RampLateP99, t.ConnectP99 = ms(rampLate.quantile(0.99)), ms(conn.quantile(0.99))
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// line is the trial's progress line.
func (t *trial) line() string {
	s := fmt.Sprintf("round %d  %-22s %-6s  load %.2f→%.2f  open %d failed %d dead %d  connect %.0f/s, %.1f µs CPU and %.1f allocations each, attempt late p99 %.2f ms",
		t.Round, t.Scenario, t.Engine, t.Load[0], t.Load[2], t.Opened, t.Failed, t.Dead,
		t.ConnectRate, t.CPUPerConnect, t.AllocsPerConnect, t.RampLateP99)
	if t.RampOverran {
		s += "  RAMP OVERRAN THE HOLD WINDOW"
	}
	if t.HoldPings > 0 {
		s += fmt.Sprintf("  | hold: %.0f B RSS/conn (heap %.0f), %.2f µs CPU and %.2f allocations/heartbeat (server %.2f µs), late p50 %.3f p99 %.3f max %.2f ms, rtt p99 %.2f ms, pongs %d/%d",
			t.RSSPerConn, t.HeapPerConn, t.CPUPerHB, t.AllocsPerHB, t.ServerCPUPerHB, t.LateP50, t.LateP99, t.LateMax, t.RTTP99, t.HoldPongs, t.HoldPings)
	}
	return s
}
