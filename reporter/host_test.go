package reporter

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/measure"
)

// hostRows returns the host columns of every row of s.
func hostRows(s *Shard) [][]int64 {
	out := make([][]int64, len(s.Series))
	for i, r := range s.Series {
		out[i] = r[measure.NumLoopColumns:]
	}
	return out
}

func TestHostColumnsCarryForward(t *testing.T) {
	r := newTestRecorder() // 100 ms intervals
	events{r.Sink(0)}.Gauges(50*time.Millisecond, 4, 0, 0)
	// Samples in intervals 0, 1 (twice: the last gauge wins, counts add)
	// and 4; intervals 2, 3 and 5 have none.
	r.Host(90*time.Millisecond, HostSample{TCPMemPages: 100, TCPInUse: 10, TCPOrphans: 1, TCPTimeWait: 5, ListenOverflows: 2})
	r.Host(150*time.Millisecond, HostSample{TCPMemPages: 120, TCPInUse: 11, TCPAbortOnMemory: 1, ListenDrops: 3})
	r.Host(199*time.Millisecond, HostSample{TCPMemPages: 130, TCPInUse: 12, TCPAbortOnMemory: 2, TCPMemoryPressures: 1})
	r.Host(450*time.Millisecond, HostSample{TCPMemPages: 90, TCPInUse: 9, TCPTimeWait: 7})
	s := r.Snapshot(550 * time.Millisecond)
	want := [][]int64{
		// mem, inuse, orphans, tw | aborts, pressures, overflows, drops
		{100, 10, 1, 5, 0, 0, 2, 0},
		{130, 12, 0, 0, 3, 1, 0, 3},
		{130, 12, 0, 0, 0, 0, 0, 0},
		{130, 12, 0, 0, 0, 0, 0, 0},
		{90, 9, 0, 7, 0, 0, 0, 0},
		{90, 9, 0, 7, 0, 0, 0, 0},
	}
	got := hostRows(s)
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("row %d host columns %v, want %v", i, got[i], want[i])
		}
	}
	if s.Series[5][measure.Open] != 4 {
		t.Errorf("loop gauge not carried: %v", s.Series[5][:3])
	}
	if s.HostSamples != 4 {
		t.Errorf("%d host samples, want 4", s.HostSamples)
	}
}

func TestHostColumnsMerge(t *testing.T) {
	// Machine A sampled 3 intervals, machine B 5; a worker of A sampled
	// nothing. Host gauges: the highest machine's, carried over the rows
	// the shorter series lacks; counts add.
	a, b, w := newTestRecorder(), newTestRecorder(), newTestRecorder()
	for i, pages := range []int64{10, 50, 30} {
		a.Host(time.Duration(i)*100*time.Millisecond, HostSample{TCPMemPages: pages, ListenDrops: 1})
	}
	for i, pages := range []int64{20, 20, 20, 20, 40} {
		b.Host(time.Duration(i)*100*time.Millisecond, HostSample{TCPMemPages: pages, ListenDrops: 1})
	}
	events{w.Sink(0)}.Gauges(0, 7, 0, 0)
	sa, sb, sw := a.Snapshot(300*time.Millisecond), b.Snapshot(500*time.Millisecond), w.Snapshot(100*time.Millisecond)
	for _, order := range [][]*Shard{{sa, sb, sw}, {sb, sw, sa}, {sw, sa, sb}} {
		m, err := Merge(order...)
		if err != nil {
			t.Fatal(err)
		}
		pages := m.column(measure.TCPMemPages)
		if want := []int64{20, 50, 30, 30, 40}; !slices.Equal(pages, want) {
			t.Errorf("merged tcp_mem_pages %v, want %v", pages, want)
		}
		if got := m.total(measure.ListenDrops); got != 8 {
			t.Errorf("merged listen_drops %d, want 8", got)
		}
		if open := m.column(measure.Open); !slices.Equal(open, []int64{7, 7, 7, 7, 7}) {
			t.Errorf("loop gauge open %v, want carried 7s", open)
		}
	}
}

func TestKernelSummary(t *testing.T) {
	r := newTestRecorder()
	r.SetKernel(KernelLimits{TCPMemPages: [3]int64{100, 200, 300}, PageSize: 4096})
	events{r.Sink(0)}.Cut(0, "hold")
	for i, pages := range []int64{50, 150, 210, 250, 300, 310, 180, 90} {
		s := HostSample{TCPMemPages: pages}
		if pages >= 300 {
			s.TCPAbortOnMemory = 5
		}
		if i == 6 {
			s.ListenOverflows, s.ListenDrops = 3, 4
		}
		r.Host(time.Duration(i)*time.Second+50*time.Millisecond, s)
	}
	events{r.Sink(0)}.Cut(4*time.Second, "storm-1")
	events{r.Sink(0)}.Cut(6*time.Second, "hold-2")
	sh := r.Snapshot(8 * time.Second)
	sum := Summarize(sh, SummaryOptions{})
	k := sum.Kernel
	if k == nil {
		t.Fatal("no kernel summary")
	}
	// Samples at 0.05 s, 1.05 s, …; each carries over its second.
	if k.PeakPages != 310 || k.PeakAtS != 5.1 {
		t.Errorf("peak %d pages at %v s, want 310 at 5.1", k.PeakPages, k.PeakAtS)
	}
	if k.SecondsUnderPressure != 4 || k.SecondsAtLimit != 2 {
		t.Errorf("under pressure %v s, at limit %v s; want 4 and 2", k.SecondsUnderPressure, k.SecondsAtLimit)
	}
	if k.FirstLimitAtS == nil || *k.FirstLimitAtS != 4.1 || k.FirstPressureAtS == nil || *k.FirstPressureAtS != 2.1 {
		t.Errorf("first limit %v, first pressure %v; want 4.1 and 2.1", k.FirstLimitAtS, k.FirstPressureAtS)
	}
	if k.AbortsOnMemory != 10 || k.ListenOverflows != 3 || k.ListenDrops != 4 || k.TCPMemPages.Max != 300 || k.Samples != 8 {
		t.Errorf("kernel %+v", k)
	}
	// The recorder noted when each condition began, once.
	var kinds []string
	for _, e := range sum.Events {
		kinds = append(kinds, e.Kind.String()+"@"+formatSeconds(e.At)+"/"+e.Phase)
	}
	want := []string{"kernel_tcp_memory_pressure@2.05/hold", "kernel_tcp_memory_exhausted@4.05/storm-1", "listen_overflow@6.05/hold-2"}
	if !slices.Equal(kinds, want) {
		t.Errorf("events %v, want %v", kinds, want)
	}
	var out bytes.Buffer
	if err := PrintSummary(&out, sum); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"the kernel's TCP memory reached its limit (300 pages) at 4.1 s: connections lost after that were lost to this machine, not to the server; raise it with sysctl -w net.ipv4.tcp_mem=\"200 400 600\"",
		"listen queues on this machine overflowed 3 times (4 SYNs dropped)",
	} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("summary lacks %q:\n%s", s, out.String())
		}
	}
	if sum := Summarize(newTestRecorder().Snapshot(time.Second), SummaryOptions{}); sum.Kernel != nil {
		t.Errorf("kernel summary %+v without samples", sum.Kernel)
	}
}
