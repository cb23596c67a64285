package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/stormbench/stormbench/internal/kernel"
)

// states are the commands sent to the children, in order, and the name of
// the state each leaves the sockets in.
var states = []struct{ cmd, name string }{
	{"connect", "idle"},
	{"pingpong", "pingpong"},
	{"queue", "queued"},
}

// kid is one child process and its command pipe.
type kid struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

func runParent(ctx context.Context, conns, perProc, perAddr, msg int, sizes []int) error {
	facts := kernel.ReadFacts()
	smp, err := kernel.NewSampler(kernel.ProcNet)
	if err != nil {
		return err
	}
	defer smp.Close()
	nkids := (conns + perProc - 1) / perProc
	fmt.Printf("tcpmem: %d loopback connection pairs (%d sockets) in %d process(es), %d-byte messages\n",
		conns, 2*conns, nkids, msg)
	fmt.Printf("page %d B, tcp_mem %v pages, tcp_rmem %v, tcp_wmem %v, mem_pcpu_rsv %v pages × %d CPUs, %s\n\n",
		facts.PageSize, facts.TCPMem, facts.TCPRmem, facts.TCPWmem, facts.MemPcpuRsv, runtime.NumCPU(), facts.NetNS)

	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "SO_RCVBUF/SO_SNDBUF\teffective rcv/snd B\tstate\tΔ TCP mem pages\tpages/socket\tB/socket\tskmem rmem/queued/fwd B/socket\tsettled in\t")
	defer tw.Flush()
	for _, size := range sizes {
		if err := measureSize(ctx, tw, smp, conns, perProc, perAddr, msg, size); err != nil {
			return err
		}
	}
	return nil
}

// measureSize runs one round: children connect, exchange a heartbeat,
// queue a message, and the host-wide TCP memory is read after each step.
func measureSize(ctx context.Context, tw io.Writer, smp *kernel.Sampler, conns, perProc, perAddr, msg, size int) error {
	base, _, err := stable(smp)
	if err != nil {
		return err
	}
	baseInUse := must(smp, kernel.TCPInUse)
	kids, err := spawn(ctx, conns, perProc, perAddr, msg, size)
	if err != nil {
		return err
	}
	defer func() {
		for _, k := range kids {
			fmt.Fprintln(k.in, "exit")
			k.in.Close()
			k.cmd.Wait()
		}
		// Wait for the sockets to be gone before the next round's baseline.
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if must(smp, kernel.TCPInUse) <= baseInUse+2 {
				break
			}
		}
	}()
	label := "kernel default"
	if size > 0 {
		label = strconv.Itoa(size)
	}
	for _, st := range states {
		var sockets, rmem, wq, fwd, rcv, snd int64
		for _, k := range kids {
			fmt.Fprintln(k.in, st.cmd)
		}
		for _, k := range kids {
			if !k.out.Scan() {
				return fmt.Errorf("child stopped during %s: %v", st.cmd, k.out.Err())
			}
			f := strings.Fields(k.out.Text())
			if len(f) != 7 || f[0] != "ok" {
				return fmt.Errorf("child answered %q to %s", k.out.Text(), st.cmd)
			}
			v := make([]int64, 6)
			for i := range v {
				v[i], _ = strconv.ParseInt(f[i+1], 10, 64)
			}
			sockets += v[0]
			rmem += v[1]
			wq += v[2]
			fwd += v[3]
			rcv, snd = v[4], v[5]
		}
		mem, took, err := stable(smp)
		if err != nil {
			return err
		}
		d := mem - base
		per := float64(d) / float64(sockets)
		n := float64(sockets)
		fmt.Fprintf(tw, "%s\t%d/%d\t%s\t%d\t%.3f\t%.0f\t%.0f/%.0f/%.0f\t%v\t\n", label, rcv, snd, st.name, d, per,
			per*float64(os.Getpagesize()), float64(rmem)/n, float64(wq)/n, float64(fwd)/n, took.Round(100*time.Millisecond))
	}
	return nil
}

// spawn starts the children; ctx ending kills them, which also ends a
// parent blocked on their answers.
func spawn(ctx context.Context, conns, perProc, perAddr, msg, size int) ([]kid, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	var kids []kid
	for first := 0; first < conns; first += perProc {
		n := min(perProc, conns-first)
		cmd := exec.CommandContext(ctx, self, "-child", "-pairs", strconv.Itoa(n), "-first", strconv.Itoa(first),
			"-per-addr", strconv.Itoa(perAddr), "-buf", strconv.Itoa(size), "-msg", strconv.Itoa(msg))
		cmd.Stderr = os.Stderr
		in, err1 := cmd.StdinPipe()
		out, err2 := cmd.StdoutPipe()
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		kids = append(kids, kid{cmd: cmd, in: in, out: bufio.NewScanner(out)})
	}
	return kids, nil
}

// stable reads "TCP: mem" until it holds still for three readings 100 ms
// apart (the kernel returns freed memory lazily and batches per CPU), at
// most 5 s; it returns the last reading and how long that took.
func stable(smp *kernel.Sampler) (int64, time.Duration, error) {
	start := time.Now()
	last, same := int64(-1), 0
	for {
		v := must(smp, kernel.TCPMemPages)
		if v < 0 {
			return 0, 0, errors.New("sockstat has no TCP mem")
		}
		if v == last {
			same++
		} else {
			last, same = v, 0
		}
		if same >= 2 || time.Since(start) > 5*time.Second {
			return last, time.Since(start), nil
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// must reads one field of a new sample, -1 if it is missing.
func must(smp *kernel.Sampler, f kernel.Field) int64 {
	var s kernel.Sample
	if err := smp.Read(&s); err != nil {
		return -1
	}
	v, ok := s.Get(f)
	if !ok {
		return -1
	}
	return v
}
