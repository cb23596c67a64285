// Command benchscale measures how stormbench scales on this machine: for
// each fleet size it runs an idle baseline and a real run (hold with
// heartbeats, then an abort storm with full jitter), samples the resident
// memory of every load-generator and server process and the kernel's slab
// memory in the middle of the hold, reads the load generator's peak memory
// over the whole run (storm included) and the kernel's peak TCP memory
// from the results, and prints one table. Use it through
// scripts/bench-scale.sh.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

func main() {
	bin := flag.String("bin", "", "stormbench binary")
	out := flag.String("out", "results/bench-scale", "results folder")
	hold := flag.Duration("hold", 60*time.Second, "hold before the storm")
	rate := flag.Float64("ramp-rate", 3000, "connections per second during the ramp")
	hb := flag.Duration("heartbeat", 10*time.Second, "heartbeat interval (ws-ping)")
	bcast := flag.Duration("broadcast", 0, "server broadcast interval (0 = off)")
	extra := flag.String("args", "", "extra flags for stormbench run")
	flag.Parse()
	if *bin == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: benchscale -bin PATH [flags] SIZE...")
		os.Exit(2)
	}
	var rows []row
	for _, a := range flag.Args() {
		n, err := strconv.Atoi(strings.ReplaceAll(strings.ToLower(strings.TrimSuffix(strings.ToLower(a), "k")), "_", ""))
		if err != nil {
			fmt.Fprintf(os.Stderr, "bad size %q\n", a)
			os.Exit(2)
		}
		if strings.HasSuffix(strings.ToLower(a), "k") {
			n *= 1000
		}
		r, err := measure(*bin, *out, n, *hold, *rate, *hb, *bcast, strings.Fields(*extra))
		if err != nil {
			fmt.Fprintf(os.Stderr, "benchscale: %d clients: %v\n", n, err)
			r.note = err.Error()
		}
		rows = append(rows, r)
		printTable(os.Stdout, rows)
	}
}

type row struct {
	clients                      int
	lgPerClient, srvPerConn      float64 // bytes
	lgPeakPerClient              float64 // bytes: peak RSS over the run (storm included) above the baseline's
	tcpMemPeak                   int64   // pages
	holdVerdict, stormVerdict    string
	slabPerConn                  float64 // bytes
	rampRate                     float64
	peakAttempts                 float64
	recoveryP99, recoveryP100    float64 // ms
	holdLatenessP99, latenessP99 float64 // ms
	holdSaturated                bool
	lgCPU, srvCPU                float64
	recovered, affected          int64
	lgProcs, srvProcs            int
	dir                          string
	note                         string
}

func printTable(w io.Writer, rows []row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "clients\tLG B/client\tLG peak B/client\tSUT B/conn\tkernel B/conn\ttcp_mem peak\tramp conn/s\tpeak att/s\trecov p99 ms\trecov p100 ms\thold late p99 ms\thold\tstorm\tLG CPU s\tSUT CPU s\trecovered\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t%.0f\t%.0f\t%.0f\t%.0f\t%d\t%.0f\t%.0f\t%.0f\t%.0f\t%.2f\t%s\t%s\t%.1f\t%.1f\t%d/%d\t%s\n",
			r.clients, r.lgPerClient, r.lgPeakPerClient, r.srvPerConn, r.slabPerConn, r.tcpMemPeak, r.rampRate, r.peakAttempts,
			r.recoveryP99, r.recoveryP100, r.holdLatenessP99, r.holdVerdict, r.stormVerdict, r.lgCPU, r.srvCPU, r.recovered, r.affected, r.note)
	}
	tw.Flush()
	fmt.Fprintln(w)
}

// sample is the memory of the run's processes at one instant.
type sample struct {
	lgRSS, srvRSS int64
	lgN, srvN     int
	slab          int64
}

func measure(bin, out string, n int, hold time.Duration, rate float64, hb, bcast time.Duration, extra []string) (row, error) {
	r := row{clients: n}
	common := []string{"--out", out, "--heartbeat", "ws-ping", "--heartbeat-interval", hb.String(),
		"--server-broadcast-interval", bcast.String(), "--ramp-rate", strconv.FormatFloat(rate, 'f', -1, 64)}
	// The same number of processes on each side, but one client each: what
	// the processes cost with no clients.
	lgW := workersFor(n, 18000)
	srvW := workersFor(n, 15000)
	baseArgs := append([]string{"run", "--name", fmt.Sprintf("bench-%d-baseline", n), "--clients", strconv.Itoa(lgW),
		"--workers", strconv.Itoa(lgW), "--server-workers", strconv.Itoa(srvW), "--hold", "12s", "--fault", "none"}, common...)
	base, baseDir, err := runAndSample(bin, baseArgs, 6*time.Second)
	if err != nil {
		return r, fmt.Errorf("baseline: %w", err)
	}
	var baseSum summary
	if err := readJSON(filepath.Join(baseDir, "summary.json"), &baseSum); err != nil {
		return r, fmt.Errorf("baseline: %w", err)
	}
	args := append([]string{"run", "--name", fmt.Sprintf("bench-%d", n), "--clients", strconv.Itoa(n),
		"--workers", strconv.Itoa(lgW), "--server-workers", strconv.Itoa(srvW), "--hold", hold.String(),
		"--fault", "abort", "--jitter", "full"}, common...)
	args = append(args, extra...)
	slab0 := slab()
	s, dir, err := runAndSample(bin, args, hold/2)
	r.dir = dir
	if err != nil {
		return r, err
	}
	r.lgProcs, r.srvProcs = s.lgN, s.srvN
	r.lgPerClient = float64(s.lgRSS-base.lgRSS) / float64(n)
	r.srvPerConn = float64(s.srvRSS-base.srvRSS) / float64(n)
	r.slabPerConn = float64(s.slab-slab0) / float64(n)
	err = readResults(dir, &r)
	r.lgPeakPerClient -= float64(baseSum.Harness.PeakRSSBytes) / float64(n)
	return r, err
}

func workersFor(n, per int) int { return max(1, (n+per-1)/per) }

// runAndSample runs stormbench, waits for the hold phase, sleeps after,
// samples the memory of its processes, and waits for the end.
func runAndSample(bin string, args []string, after time.Duration) (sample, string, error) {
	var s sample
	cmd := exec.Command(bin, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return s, "", err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return s, "", err
	}
	if err := cmd.Start(); err != nil {
		return s, "", err
	}
	fmt.Fprintf(os.Stderr, "benchscale: %s\n", strings.Join(args, " "))
	dirc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		dir := ""
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "results: "); ok {
				dir = d
			}
		}
		dirc <- dir
	}()
	sampled := make(chan sample, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		done := false
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(os.Stderr, "  "+line)
			if !done && strings.Contains(line, "] hold ") {
				done = true
				go func() {
					time.Sleep(after)
					sampled <- sampleTree(cmd.Process.Pid)
				}()
			}
		}
		if !done {
			sampled <- sample{}
		}
	}()
	s = <-sampled
	err = cmd.Wait()
	dir := <-dirc
	if err != nil {
		return s, dir, fmt.Errorf("stormbench: %w", err)
	}
	if s.lgN == 0 {
		return s, dir, errors.New("never saw the hold phase")
	}
	return s, dir, nil
}

// sampleTree sums the RSS of the coordinator's process tree: processes
// running "serve" are the server's, the rest the load generator's.
func sampleTree(root int) sample {
	s := sample{slab: slab()}
	kids := map[int][]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if pp := ppid(pid); pp > 0 {
			kids[pp] = append(kids[pp], pid)
		}
	}
	var walk func(pid int, server bool)
	walk = func(pid int, server bool) {
		server = server || isServe(pid)
		rss := rssOf(pid)
		if server {
			s.srvRSS += rss
			s.srvN++
		} else {
			s.lgRSS += rss
			s.lgN++
		}
		for _, k := range kids[pid] {
			walk(k, server)
		}
	}
	walk(root, false)
	return s
}

func ppid(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 2 {
		return 0
	}
	p, _ := strconv.Atoi(f[1])
	return p
}

func isServe(pid int) bool {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	args := strings.Split(string(b), "\x00")
	return len(args) > 1 && args[1] == "serve"
}

func rssOf(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.Fields(rest)[0], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// slab returns the kernel's slab memory (Slab in /proc/meminfo) in bytes.
func slab() int64 {
	b, _ := os.ReadFile("/proc/meminfo")
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "Slab:"); ok {
			kb, _ := strconv.ParseInt(strings.Fields(rest)[0], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

type summary struct {
	Counters struct {
		Connects int64 `json:"connects"`
	} `json:"counters"`
	Storms []struct {
		Affected         int64   `json:"affected"`
		Recovered        int64   `json:"recovered"`
		PeakAttemptsPerS float64 `json:"peak_attempts_per_s"`
		RecoveryMs       struct {
			P99  *float64 `json:"p99"`
			P100 *float64 `json:"p100"`
		} `json:"recovery_ms"`
	} `json:"storms"`
	Harness struct {
		TimerLatenessMs struct {
			P99 float64 `json:"p99"`
		} `json:"timer_lateness_ms"`
		CPUSeconds   float64 `json:"cpu_seconds"`
		PeakRSSBytes int64   `json:"peak_rss_bytes"`
		Phases       []struct {
			Name            string  `json:"name"`
			StartS          float64 `json:"start_s"`
			EndS            float64 `json:"end_s"`
			Saturated       bool    `json:"saturated"`
			TimerLatenessMs struct {
				P99 float64 `json:"p99"`
			} `json:"timer_lateness_ms"`
			Verdict struct {
				State   string  `json:"state"`
				DelayMs float64 `json:"delay_ms"`
			} `json:"verdict"`
		} `json:"phases"`
	} `json:"harness"`
	Kernel *struct {
		PeakPages int64 `json:"peak_pages"`
	} `json:"kernel"`
}

// verdictOf formats a phase's verdict: "ok", or its state and delay.
func verdictOf(state string, delayMs float64) string {
	if state == "" || state == "ok" {
		return "ok"
	}
	return fmt.Sprintf("%s %.0fms", state, delayMs)
}

func readResults(dir string, r *row) error {
	var sum summary
	if err := readJSON(filepath.Join(dir, "summary.json"), &sum); err != nil {
		return err
	}
	var srv struct {
		Process struct {
			CPUSeconds float64 `json:"cpu_seconds"`
		} `json:"process"`
	}
	_ = readJSON(filepath.Join(dir, "server.json"), &srv)
	r.lgCPU, r.srvCPU = sum.Harness.CPUSeconds, srv.Process.CPUSeconds
	r.latenessP99 = sum.Harness.TimerLatenessMs.P99
	r.lgPeakPerClient = float64(sum.Harness.PeakRSSBytes) / float64(r.clients)
	if sum.Kernel != nil {
		r.tcpMemPeak = sum.Kernel.PeakPages
	}
	for _, p := range sum.Harness.Phases {
		switch p.Name {
		case "storm-1":
			r.stormVerdict = verdictOf(p.Verdict.State, p.Verdict.DelayMs)
		case "hold":
			r.holdLatenessP99, r.holdSaturated = p.TimerLatenessMs.P99, p.Saturated
			r.holdVerdict = verdictOf(p.Verdict.State, p.Verdict.DelayMs)
		case "ramp":
			if d := p.EndS - p.StartS; d > 0 {
				r.rampRate = float64(r.clients) / d
			}
		}
	}
	if len(sum.Storms) > 0 {
		st := sum.Storms[0]
		r.affected, r.recovered, r.peakAttempts = st.Affected, st.Recovered, st.PeakAttemptsPerS
		if st.RecoveryMs.P99 != nil {
			r.recoveryP99 = *st.RecoveryMs.P99
		}
		if st.RecoveryMs.P100 != nil {
			r.recoveryP100 = *st.RecoveryMs.P100
		}
	}
	return nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
