package reporter

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// partialRun is a run over two load-generator shards whose second was lost
// during the storm: shard 0/2's results, the coordinator's (kernel samples
// that reached the TCP memory limit, the worker's exit) merged on purpose.
func partialRun(t *testing.T) *Shard {
	t.Helper()
	h := coveredShards(t, "run-1", ShardID{0, 2}, ShardID{1, 2})
	c := NewRecorder(Options{Start: testStart, RunID: "run-1"})
	c.StormInfo(0, serverInfo)
	c.SetKernel(KernelLimits{TCPMemPages: [3]int64{191_932, 255_910, 383_865}, PageSize: 4096})
	for i := 0; i < 80; i++ {
		pages := int64(150_000 + i*3_000)
		if i >= 60 {
			pages = 383_865
		}
		c.Host(time.Duration(i)*100*time.Millisecond+50*time.Millisecond, HostSample{
			TCPMemPages: pages, TCPInUse: 120, TCPTimeWait: 3, TCPAbortOnMemory: int64(max(i-59, 0)),
		})
	}
	c.Event(Event{At: 3500 * time.Millisecond, Kind: EventWorkerExited, Process: "worker 1", Detail: "signal: killed"})
	c.MarkPartial("worker 1 exited at 3.5 s (signal: killed): its clients' results are lost")
	cs := c.Snapshot(scenarioEnd)
	cs.Harness = HarnessUsage{Processes: 1, PeakRSSBytes: 20 << 20, CPUSeconds: 0.25}
	h[0].Harness = HarnessUsage{Processes: 1, PeakRSSBytes: 48 << 20, CPUSeconds: 1.25}
	m, err := MergeWith(MergeOptions{AllowPartial: true}, cs, h[0])
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestPrintPartialSummaryGolden(t *testing.T) {
	sum := Summarize(partialRun(t), SummaryOptions{})
	var b bytes.Buffer
	if err := PrintSummary(&b, sum); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary_partial.golden", b.Bytes())
	out := b.String()
	for _, s := range []string{
		"PARTIAL RESULTS",
		"recovered 30 of the clients still reporting; 1 of 2 load-generator shards lost — recovery percentiles not computed",
		"missing load-generator shards: 1/2",
		"worker_exited",
		"the kernel's TCP memory reached its limit (383 865 pages) at 6.1 s",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("summary lacks %q", s)
		}
	}
	if strings.Contains(out, "50.0%") {
		t.Error("the summary gives a recovered share of the server's count")
	}
}

func TestGrouped(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 4960: "4 960", 575796: "575 796", -1234567: "-1 234 567"} {
		if got := grouped(n); got != want {
			t.Errorf("grouped(%d) = %q, want %q", n, got, want)
		}
	}
}
