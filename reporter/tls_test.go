package reporter

import (
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/measure"

	"github.com/stormbench/stormbench/loadgen"
)

// TestConnectTLSPart: a wss attempt's TLS part goes into connect_tls
// (summary, .hlog) beside tcp and upgrade, failures of cause tls are
// counted by name, and a ws attempt leaves connect_tls empty.
func TestConnectTLSPart(t *testing.T) {
	r := newTestRecorder()
	s := events{r.Sink(0)}
	ms := time.Millisecond
	s.Attempt(ms, 0)
	s.Connected(ms, loadgen.ConnectTiming{Total: 9 * ms, TCP: ms, TLS: 6 * ms, Upgrade: 2 * ms})
	s.Attempt(2*ms, 0)
	s.Connected(2*ms, loadgen.ConnectTiming{Total: 3 * ms, TCP: ms, Upgrade: 2 * ms}) // ws
	s.Attempt(3*ms, 0)
	s.Failed(3*ms, measure.FailTLS)
	sum := Summarize(r.Snapshot(time.Second), SummaryOptions{})
	for name, want := range map[string]struct {
		count int64
		max   float64
	}{"connect_tcp": {2, 1}, "connect_tls": {1, 6}, "connect_upgrade": {2, 2}, "connect_latency": {2, 9}} {
		h := sum.Histograms[name]
		if h.Count != want.count || h.Max < want.max*0.999 || h.Max > want.max*1.001 {
			t.Errorf("%s: count %d max %v ms, want %d and %v", name, h.Count, h.Max, want.count, want.max)
		}
	}
	if n := sum.Counters.Keys(measure.FailureCauses)["tls"]; n != 1 {
		t.Errorf("failure causes %v, want tls 1", sum.Counters.Keys(measure.FailureCauses))
	}
}

func TestConnectedWSSDoesNotAllocate(t *testing.T) {
	s := warmSink()
	c := loadgen.ConnectTiming{Total: 3 * time.Millisecond, TCP: 100 * time.Microsecond, TLS: 2 * time.Millisecond, Upgrade: 500 * time.Microsecond}
	if n := testing.AllocsPerRun(100, func() { s.Connected(time.Second, c) }); n != 0 {
		t.Errorf("Connected (wss) allocates %v times per call", n)
	}
}
