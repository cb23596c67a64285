package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/stormbench/stormbench/internal/measure"
	"github.com/stormbench/stormbench/loadgen"
)

// The -heap measurement runs the load generator's fleet (package loadgen,
// one event loop) in this process and the fake server in a child process
// (-serve), and reads the Go heap in use after a GC in the middle of the
// hold: the live bytes per held client, exactly, without the GC's heap
// goal and the OS's page accounting that blur an RSS figure. It is what
// finds where a protocol's memory goes; RSS is what a user's machine pays.

// heapPerClient returns the growth of the live heap per client from base
// to n clients of p.
func (m *measurer) heapPerClient(p *fakeProto) (float64, error) {
	b, err := m.heapRun(p, m.base)
	if err != nil {
		return 0, fmt.Errorf("baseline: %w", err)
	}
	f, err := m.heapRun(p, m.clients)
	if err != nil {
		return 0, err
	}
	return float64(f-b) / float64(m.clients-m.base), nil
}

// heapRun holds n clients of p against a fake server in a child process
// and returns the live heap in the middle of the hold.
func (m *measurer) heapRun(p *fakeProto, n int) (int64, error) {
	srv, err := spawnFake(p, m.broadcast)
	if err != nil {
		return 0, err
	}
	defer srv.stop()
	cfg, err := configOf(p)
	if err != nil {
		return 0, err
	}
	cfg.URL, cfg.Clients, cfg.RampRate, cfg.Hold, cfg.Loops = srv.url, n, m.rate, m.hold, 1
	cfg.Fault = loadgen.Fault{Kind: "none", RecoverTimeout: time.Second}
	cfg = cfg.Resolve()
	start := time.Now()
	clock := func() time.Duration { return time.Since(start) }
	rec := newTally()
	f, err := loadgen.NewFleet(cfg, rec, clock)
	if err != nil {
		return 0, err
	}
	hold := make(chan struct{})
	sampled := make(chan int64, 1)
	go func() {
		<-hold
		time.Sleep(m.hold / 2)
		var ms runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&ms)
		if m.heapProfile != "" {
			if err := writeHeapProfile(filepath.Join(m.heapProfile, fmt.Sprintf("%s-%d.pprof", p.name, n))); err != nil {
				fmt.Fprintln(os.Stderr, "protomem:", err)
			}
		}
		sampled <- int64(ms.HeapAlloc)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 2*m.hold+time.Duration(float64(n)/m.rate*float64(time.Second))+time.Minute)
	defer cancel()
	phase := func(name string) {
		if name == "hold" {
			close(hold)
		}
	}
	if _, err := loadgen.Run(ctx, cfg, f, rec, loadgen.Options{Start: start, Clock: clock, OnPhase: phase}); err != nil {
		return 0, err
	}
	heap := <-sampled
	joined, bad, err := srv.stop()
	if err != nil {
		return 0, err
	}
	if err := rec.check(n, m.broadcast > 0 && m.hold > 2*m.broadcast); err != nil {
		return 0, err
	}
	if bad > 0 || joined != int64(n) {
		return 0, fmt.Errorf("the fake server joined %d of %d clients and did not understand %d messages", joined, n, bad)
	}
	fmt.Fprintf(os.Stderr, "protomem: %s, %d clients: live heap %d in the hold\n", p.name, n, heap)
	return heap, nil
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// check reports a run whose n clients did not all join, lost a connection
// before the drain, got no broadcast (when one was due) or lost one.
func (s *tally) check(n int, broadcast bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	lost := 0
	for c, k := range s.causes {
		if c != measure.CauseDrain {
			lost += k
		}
	}
	switch {
	case s.joins != int64(n):
		return fmt.Errorf("%d of %d clients joined (%d refusals, e.g. %q)", s.joins, n, len(s.refusals), s.refusals[:min(len(s.refusals), 1)])
	case lost > 0 || len(s.profileErrors) > 0:
		return fmt.Errorf("%d connections lost during the hold, %d profile errors (e.g. %q)", lost, len(s.profileErrors), s.profileErrors[:min(len(s.profileErrors), 1)])
	case broadcast && s.messages < int64(n):
		return fmt.Errorf("%d clients received %d broadcasts", n, s.messages)
	case s.lost > 0:
		return fmt.Errorf("%d broadcasts lost", s.lost)
	}
	return nil
}

// child is a fake server in a child process.
type child struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
	url string
}

// spawnFake starts `protomem -serve NAME` and reads its URL.
func spawnFake(p *fakeProto, broadcast time.Duration) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "-serve", p.name, "-broadcast", broadcast.String(), "-pad", strconv.Itoa(len(pad)))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, in: in, out: bufio.NewScanner(out)}
	if !c.out.Scan() {
		c.stop()
		return nil, fmt.Errorf("the fake %s server said nothing", p.name)
	}
	u, ok := strings.CutPrefix(c.out.Text(), "url ")
	if !ok {
		c.stop()
		return nil, fmt.Errorf("the fake %s server said %q", p.name, c.out.Text())
	}
	c.url = u
	return c, nil
}

// stop ends the child (its stdin closes) and returns what it counted.
func (c *child) stop() (joined, bad int64, err error) {
	if c.in == nil {
		return 0, 0, nil
	}
	c.in.Close()
	c.in = nil
	if c.out.Scan() {
		_, err = fmt.Sscanf(c.out.Text(), "joined %d bad %d", &joined, &bad)
	}
	if e := c.cmd.Wait(); err == nil {
		err = e
	}
	return joined, bad, err
}

// serveChild is the -serve mode: a fake server until stdin closes.
func serveChild(name string, broadcast time.Duration) error {
	p := protoNamed(name)
	if p == nil {
		return fmt.Errorf("unknown protocol %q", name)
	}
	srv, err := startFake(p, broadcast)
	if err != nil {
		return err
	}
	fmt.Printf("url %s\n", srv.url())
	_, _ = io.Copy(io.Discard, os.Stdin)
	srv.close()
	fmt.Printf("joined %d bad %d\n", srv.joined.Load(), srv.bad.Load())
	return nil
}
