package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/measure"

	"github.com/stormbench/stormbench/reporter"
)

// runE2E runs "stormbench run" in-process with args and returns the
// results folder and the summary.
func runE2E(t *testing.T, args ...string) (string, *reporter.Summary, string) {
	t.Helper()
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := dispatch(ctx, append([]string{"run", "--out", out, "--quiet"}, args...), &stdout, &stderr)
	if err != nil {
		t.Fatalf("run %v: %v\nstdout:\n%s\nstderr:\n%s", args, err, stdout.String(), stderr.String())
	}
	dir, sum := onlyResults(t, out)
	return dir, sum, stdout.String()
}

// onlyResults returns the one results folder under out and its summary.
func onlyResults(t *testing.T, out string) (string, *reporter.Summary) {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(out, "*"))
	if len(dirs) != 1 {
		t.Fatalf("want one results folder, got %v", dirs)
	}
	sum, err := reporter.ReadSummary(dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	return dirs[0], sum
}

// TestFaultKindsEndToEnd runs every fault kind against the embedded server
// and checks recovery, the detection cause, message continuity and the
// invariants of the results folder.
func TestFaultKindsEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end runs take seconds each")
	}
	common := []string{"--clients", "2000", "--ramp-rate", "4000", "--hold", "1s",
		"--heartbeat-interval", "1s", "--heartbeat-timeout", "3s", "--fault-duration", "4s",
		"--recover-timeout", "20s", "--server-broadcast-interval", "100ms", "--backoff-base", "200ms", "--backoff-max", "2s"}
	tests := []struct {
		fault  string
		causes []string // allowed detection causes
	}{
		{"close", []string{"close_frame"}},
		{"restart", []string{"close_frame"}},
		{"abort", []string{"reset", "eof"}},
		{"crash", []string{"reset", "eof"}},
		{"blackhole", []string{"heartbeat_timeout"}},
		{"reset", []string{"client_abort"}},
		{"partition", []string{"heartbeat_timeout"}},
	}
	procs := []struct {
		name string
		args []string
	}{
		{"1 process", []string{"--workers", "1", "--server-workers", "1"}},
		{"2 workers each side", []string{"--workers", "2", "--server-workers", "2"}},
	}
	for _, pr := range procs {
		for _, tt := range tests {
			t.Run(pr.name+"/"+tt.fault, func(t *testing.T) {
				args := append(append(append([]string{}, common...), pr.args...), "--fault", tt.fault, "--name", tt.fault)
				checkFaultRun(t, tt.fault, tt.causes, args)
			})
		}
	}
}

// checkFaultRun runs one storm of fault and checks its outcome.
func checkFaultRun(t *testing.T, fault string, causes []string, args []string) {
	t.Helper()
	start := time.Now()
	dir, sum, _ := runE2E(t, args...)
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("run took %v, want < 30s", d)
	}
	if len(sum.Storms) != 1 {
		t.Fatalf("storms = %d, want 1", len(sum.Storms))
	}
	st := sum.Storms[0]
	if st.Affected <= 0 || st.Recovered != st.Affected {
		t.Fatalf("recovered %d of %d affected", st.Recovered, st.Affected)
	}
	if fault != "crash" && fault != "restart" && st.Affected != 2000 {
		t.Errorf("affected = %d, want 2000", st.Affected)
	}
	var n int64
	for cause, c := range st.DetectCauses {
		if !contains(causes, cause) {
			t.Errorf("detect cause %s × %d, want only %v", cause, c, causes)
		}
		n += c
	}
	if n != int64(st.Detected) {
		t.Errorf("causes add to %d, detected %d", n, st.Detected)
	}
	if fault == "blackhole" || fault == "partition" {
		checkDetectBounds(t, sum, 3*time.Second, time.Second, 0)
	}
	if sum.Counters.Get(measure.MessagesLost) != 0 || st.MessagesLost != 0 {
		t.Errorf("messages lost %d (storm %d), want 0 with resume", sum.Counters.Get(measure.MessagesLost), st.MessagesLost)
	}
	if sum.Counters.Get(measure.MessagesReceived) == 0 {
		t.Error("no broadcast messages received")
	}
	checkInvariants(t, dir, sum)
	for _, name := range []string{"server.json", "server_timeseries.csv"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("missing %s", name)
		}
	}
}

// checkDetectBounds checks the documented detection rule of a silent fault
// (docs/metrics.md, "Detection rule"): a connection is dead when nothing
// arrived for the timeout, and the last frame before T0 arrived at most one
// interval plus a round trip earlier, so every detection lies in
// [timeout − interval − RTT, timeout] — plus, on the late side, the
// harness's own timer lateness during the storm, as this run measured it,
// and the delivery of a frame that was on its way at T0.
// senderSlack widens the early side when the peer, not the client, times
// the heartbeat (--heartbeat server): the server's ping timer can fire late
// and the client cannot measure by how much.
func checkDetectBounds(t *testing.T, sum *reporter.Summary, timeout, interval, senderSlack time.Duration) {
	t.Helper()
	st := sum.Storms[0]
	var late float64
	for _, ph := range sum.Harness.Phases {
		if ph.Name == "storm-1" {
			late = ph.TimerLatenessMs.Max
		}
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	// HDR histograms keep 3 significant digits: a value is reported to
	// within 1/1024 of itself.
	const hdr = 1.0 / 1024
	lo := (ms(timeout-interval-senderSlack) - sum.Heartbeat.RTTMs.Max) * (1 - hdr)
	// A frame the server sent just before T0 still arrives after it (one
	// delivery, at most a round trip): the deadline runs from there.
	hi := (ms(timeout) + late + sum.Heartbeat.RTTMs.Max) * (1 + hdr)
	if st.DetectMs.Min < lo || st.DetectMs.Max > hi {
		t.Errorf("detect latency [%v, %v] ms, want within [%v, %v] (rule [%v, %v], rtt max %v ms, storm lateness max %v ms)",
			st.DetectMs.Min, st.DetectMs.Max, lo, hi, ms(timeout-interval), ms(timeout), sum.Heartbeat.RTTMs.Max, late)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// checkInvariants checks the invariants docs/metrics.md promises
// (Definitions): attempts = connects + failures, counters equal the series
// sums; and that histogram counts equal their events and the .hgrm files
// parse back to those counts.
func checkInvariants(t *testing.T, dir string, sum *reporter.Summary) {
	t.Helper()
	c := sum.Counters
	if c.Get(measure.Attempts) != c.Get(measure.Connects)+c.Get(measure.Failures) {
		t.Errorf("attempts %d != connects %d + failures %d", c.Get(measure.Attempts), c.Get(measure.Connects), c.Get(measure.Failures))
	}
	f, err := os.Open(filepath.Join(dir, "timeseries.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("timeseries.csv: %d rows, %v", len(rows), err)
	}
	want := map[string]int64{"attempts": c.Get(measure.Attempts), "connects": c.Get(measure.Connects), "failures": c.Get(measure.Failures),
		"disconnects": c.Get(measure.Disconnects), "pings_sent": c.Get(measure.PingsSent), "pongs_received": c.Get(measure.PongsReceived),
		"bytes_sent": c.Get(measure.BytesSent), "bytes_received": c.Get(measure.BytesReceived), "messages_received": c.Get(measure.MessagesReceived)}
	for col, total := range want {
		i := indexOf(rows[0], col)
		if i < 0 {
			t.Fatalf("timeseries.csv has no column %s", col)
		}
		var s int64
		for _, r := range rows[1:] {
			v, _ := strconv.ParseInt(r[i], 10, 64)
			s += v
		}
		if s != total {
			t.Errorf("sum of %s = %d, counter %d", col, s, total)
		}
	}
	if got := sum.Histograms["connect_latency"].Count; got != c.Get(measure.Connects) {
		t.Errorf("connect_latency count %d != connects %d", got, c.Get(measure.Connects))
	}
	if got := sum.Histograms["reconnect_latency"].Count; got != c.Get(measure.Reconnects) {
		t.Errorf("reconnect_latency count %d != reconnects %d", got, c.Get(measure.Reconnects))
	}
	var detected, recovered int64
	for _, st := range sum.Storms {
		detected += int64(st.Detected)
		recovered += int64(st.Recovered)
	}
	if got := sum.Histograms["detect_latency"].Count; got != detected {
		t.Errorf("detect_latency count %d != detections %d", got, detected)
	}
	if got := sum.Histograms["outage"].Count; got != recovered {
		t.Errorf("outage count %d != recoveries %d", got, recovered)
	}
	re := regexp.MustCompile(`Total count\s*=\s*(\d+)`)
	for _, m := range reporter.Metrics() {
		b, err := os.ReadFile(filepath.Join(dir, m+".hgrm"))
		if err != nil {
			t.Fatal(err)
		}
		g := re.FindSubmatch(b)
		if g == nil {
			t.Fatalf("%s.hgrm has no Total count footer", m)
		}
		n, _ := strconv.ParseInt(string(g[1]), 10, 64)
		if n != sum.Histograms[m].Count {
			t.Errorf("%s.hgrm total %d != summary count %d", m, n, sum.Histograms[m].Count)
		}
	}
	for _, name := range []string{"config.json", "summary.json", "histograms.hlog", "shard.json"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("missing %s", name)
		}
	}
	var cfg map[string]any
	b, _ := os.ReadFile(filepath.Join(dir, "config.json"))
	if err := json.Unmarshal(b, &cfg); err != nil || (cfg["loadgen"] == nil && cfg["configs"] == nil) || cfg["host"] == nil {
		t.Errorf("config.json lacks the resolved settings or host facts: %v", err)
	}
	tmp, _ := filepath.Glob(filepath.Join(dir, ".*"))
	if len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if strings.TrimSpace(v) == s {
			return i
		}
	}
	return -1
}

// TestNoServer: a server that never accepts makes clients retry per policy
// until the run's timeouts, then the run reports it with exit code 3 and
// still writes its results.
func TestNoServer(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	err := dispatch(context.Background(), []string{"run", "--out", out, "--quiet",
		"--url", "ws://127.0.0.1:1/ws", "--fault", "reset", "--clients", "20",
		"--recover-timeout", "2s", "--connect-timeout", "500ms", "--backoff-base", "50ms", "--backoff-max", "200ms"}, &stdout, &stderr)
	if code := exitCode(err, &stderr); code != exitRunFailed {
		t.Fatalf("exit code %d (%v), want %d", code, err, exitRunFailed)
	}
	if !strings.Contains(err.Error(), "no client ever connected") {
		t.Fatalf("error %q", err)
	}
	_, sum := onlyResults(t, out)
	c := sum.Counters
	if c.Get(measure.Connects) != 0 || c.Get(measure.Failures) < 40 || c.Keys(measure.FailureCauses)["refused"] != c.Get(measure.Failures) {
		t.Fatalf("connects %d failures %d causes %v; want only refused retries", c.Get(measure.Connects), c.Get(measure.Failures), c.Keys(measure.FailureCauses))
	}
}

// TestInterrupted: Ctrl-C (a cancelled context) mid-run writes partial
// results marked interrupted and exits with 130.
func TestInterrupted(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(2*time.Second, cancel)
	start := time.Now()
	err := dispatch(ctx, []string{"run", "--out", out, "--quiet", "--clients", "500", "--hold", "60s"}, &stdout, &stderr)
	if code := exitCode(err, &stderr); code != exitInterrupted {
		t.Fatalf("exit code %d (%v), want %d", code, err, exitInterrupted)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Fatalf("interrupted run took %v", d)
	}
	dir, sum := onlyResults(t, out)
	if !sum.Interrupted || sum.Counters.Get(measure.Connects) != 500 {
		t.Fatalf("interrupted %v connects %d", sum.Interrupted, sum.Counters.Get(measure.Connects))
	}
	checkInvariants(t, dir, sum)
}

// TestHeartbeatModes: every heartbeat mode detects a blackholed server by
// its rule and measures what heartbeats cost.
func TestHeartbeatModes(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end runs take seconds each")
	}
	tests := []struct {
		mode      string
		wantCause string
	}{
		{"ws-ping", "heartbeat_timeout"},
		{"app", "heartbeat_timeout"},
		{"server", "heartbeat_timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			_, sum, _ := runE2E(t, "--clients", "500", "--ramp-rate", "2000", "--hold", "1500ms",
				"--heartbeat", tt.mode, "--heartbeat-interval", "500ms", "--heartbeat-timeout", "1500ms",
				"--fault", "blackhole", "--fault-duration", "3s", "--server-broadcast-interval", "0", "--name", tt.mode)
			st := sum.Storms[0]
			if st.Recovered != st.Affected || st.DetectCauses[tt.wantCause] != st.Detected || st.Detected != 500 {
				t.Fatalf("affected %d detected %d recovered %d causes %v", st.Affected, st.Detected, st.Recovered, st.DetectCauses)
			}
			var slack time.Duration
			if tt.mode == "server" {
				slack = 20 * time.Millisecond
			}
			checkDetectBounds(t, sum, 1500*time.Millisecond, 500*time.Millisecond, slack)
			hb := sum.Heartbeat
			if hb.FramesSent == 0 || hb.FramesReceived == 0 || hb.BytesPerConnS <= 0 {
				t.Errorf("heartbeat cost not measured: %+v", hb)
			}
			if tt.mode != "server" && (sum.Counters.Get(measure.PingsSent) == 0 || sum.Counters.Get(measure.PongsReceived) == 0 || hb.RTTMs.P50 <= 0) {
				t.Errorf("pings %d pongs %d rtt %+v", sum.Counters.Get(measure.PingsSent), sum.Counters.Get(measure.PongsReceived), hb.RTTMs)
			}
		})
	}
}
