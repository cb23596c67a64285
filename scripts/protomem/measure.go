package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// measurer runs stormbench against one server at a time.
type measurer struct {
	bin, out      string
	clients, base int
	hold          time.Duration
	rate          float64
	broadcast     time.Duration
	heap          bool
	heapProfile   string
}

// perClient returns the growth of the load generator's RSS in the hold
// and of its peak RSS, per client, from -base-clients to -clients; p nil
// is plain stormbench against its embedded server.
func (m *measurer) perClient(name string, p *fakeProto) (hold, peak float64, err error) {
	b, err := m.run(name, p, m.base)
	if err != nil {
		return 0, 0, fmt.Errorf("baseline: %w", err)
	}
	f, err := m.run(name, p, m.clients)
	if err != nil {
		return 0, 0, err
	}
	n := float64(m.clients - m.base)
	return float64(f.holdRSS-b.holdRSS) / n, float64(f.peakRSS-b.peakRSS) / n, nil
}

// result is one run's memory.
type result struct{ holdRSS, peakRSS int64 }

// run holds n clients against p's fake server (or the embedded server),
// samples the load generator's RSS in the middle of the hold and checks
// that every client joined and stayed.
func (m *measurer) run(name string, p *fakeProto, n int) (result, error) {
	var r result
	args := []string{"run", "--name", fmt.Sprintf("protomem-%s-%d", name, n), "--out", m.out,
		"--clients", strconv.Itoa(n), "--workers", "1", "--ramp-rate", strconv.FormatFloat(m.rate, 'f', -1, 64),
		"--hold", m.hold.String(), "--fault", "none"}
	var srv *fake
	if p == nil {
		args = append(args, "--server-workers", "1", "--server-broadcast-interval", m.broadcast.String())
	} else {
		var err error
		if srv, err = startFake(p, m.broadcast); err != nil {
			return r, err
		}
		defer srv.close()
		args = append(args, "--url", srv.url())
		args = append(args, p.args...)
	}
	rss, hwm, dir, err := runAndSample(m.bin, args, m.hold/2)
	if err != nil {
		return r, err
	}
	r.holdRSS, r.peakRSS = rss, hwm
	var sum summary
	if err := readJSON(filepath.Join(dir, "summary.json"), &sum); err != nil {
		return r, err
	}
	c := sum.Counters
	lost := int64(0)
	for cause, k := range c.DisconnectCauses {
		if cause != "drain" {
			lost += k
		}
	}
	switch {
	case c.Connects != int64(n) || c.Joins != int64(n):
		return r, fmt.Errorf("%d clients: %d connects, %d joins (failures %v, refusals %v)", n, c.Connects, c.Joins, c.FailureCauses, c.JoinRefusals)
	case lost > 0:
		return r, fmt.Errorf("%d clients: connections lost during the hold: %v (profile errors %v)", n, c.DisconnectCauses, c.ProfileErrors)
	case m.broadcast > 0 && m.hold > 2*m.broadcast && c.MessagesReceived < int64(n):
		return r, fmt.Errorf("%d clients received %d broadcasts", n, c.MessagesReceived)
	case c.MessagesLost > 0:
		return r, fmt.Errorf("%d broadcasts lost", c.MessagesLost)
	}
	if srv != nil && (srv.bad.Load() > 0 || srv.joined.Load() != int64(n)) {
		return r, fmt.Errorf("the fake server joined %d of %d clients and did not understand %d messages", srv.joined.Load(), n, srv.bad.Load())
	}
	fmt.Fprintf(os.Stderr, "protomem: %s, %d clients: RSS %d in the hold, peak %d\n", name, n, r.holdRSS, r.peakRSS)
	return r, nil
}

// runAndSample runs stormbench, waits for the hold phase, sleeps after,
// samples the RSS of the stormbench process itself (the load generator
// with --workers 1; the embedded server is a child process and is not
// counted), and waits for the end. It returns that RSS, the process's
// peak RSS over the ramp and the hold, and the results folder.
//
// The peak is the process's VmHWM when the drain starts (read every
// 50 ms until then), not the summary's peak_rss_bytes: that is
// getrusage's ru_maxrss, which Linux carries over an exec from the
// process that started it — here this one, which holds the fake server's
// thousands of connections. The drain and the writing of the results
// (the report's charts) are left out: they are not per client.
func runAndSample(bin string, args []string, after time.Duration) (rss, hwm int64, dir string, err error) {
	cmd := exec.Command(bin, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return 0, 0, "", err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, "", err
	}
	if err := cmd.Start(); err != nil {
		return 0, 0, "", err
	}
	drain := make(chan struct{})
	peak := make(chan int64, 1)
	go func() {
		var top int64
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if v := statusKB(cmd.Process.Pid, "VmHWM:"); v > top {
				top = v
			}
			select {
			case <-drain:
				if v := statusKB(cmd.Process.Pid, "VmHWM:"); v > top {
					top = v
				}
				peak <- top
				return
			case <-t.C:
			}
		}
	}()
	fmt.Fprintf(os.Stderr, "protomem: stormbench %s\n", strings.Join(args, " "))
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
	sampled := make(chan int64, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Split(scanLinesOrCR)
		done, drained := false, false
		var last string
		for sc.Scan() {
			line := sc.Text()
			if !drained && strings.Contains(line, "] drain ") {
				drained = true
				close(drain)
			}
			if !done && strings.Contains(line, "] hold ") {
				done = true
				go func() {
					time.Sleep(after)
					sampled <- statusKB(cmd.Process.Pid, "VmRSS:")
				}()
			}
			if !strings.HasPrefix(line, "[") {
				last = line
			}
		}
		if !drained {
			close(drain)
		}
		if !done {
			fmt.Fprintln(os.Stderr, "  "+last)
			sampled <- 0
		}
	}()
	rss = <-sampled
	hwm = <-peak
	err = cmd.Wait()
	dir = <-dirc
	if err != nil {
		return rss, hwm, dir, fmt.Errorf("stormbench: %w", err)
	}
	if rss == 0 {
		return 0, hwm, dir, errors.New("never saw the hold phase")
	}
	return rss, hwm, dir, nil
}

// scanLinesOrCR splits at \n or \r: the status line is rewritten in place.
func scanLinesOrCR(data []byte, atEOF bool) (int, []byte, error) {
	for i, b := range data {
		if b == '\n' || b == '\r' {
			return i + 1, data[:i], nil
		}
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// statusKB reads a field of /proc/PID/status given in kB (VmRSS:,
// VmHWM:), in bytes; 0 when the process is gone.
func statusKB(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseInt(strings.Fields(rest)[0], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// summary is what protomem reads of summary.json.
type summary struct {
	Counters struct {
		Connects         int64            `json:"connects"`
		Joins            int64            `json:"joins"`
		MessagesReceived int64            `json:"messages_received"`
		MessagesLost     int64            `json:"messages_lost"`
		FailureCauses    map[string]int64 `json:"failure_causes"`
		DisconnectCauses map[string]int64 `json:"disconnect_causes"`
		JoinRefusals     map[string]int64 `json:"join_refusals"`
		ProfileErrors    map[string]int64 `json:"profile_errors"`
	} `json:"counters"`
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
