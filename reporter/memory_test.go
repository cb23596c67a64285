package reporter

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/measure"

	"github.com/stormbench/stormbench/loadgen"
)

// maxStormBytesPerLoop is the documented bound of what one storm adds to a
// Recorder's retained heap, per event loop, once its phases are closed
// (see Recorder): two packed phases, the packed storm record and the
// storm's second of series rows. Before closed histograms were packed it
// was ≈2.8 MB (14 dense histograms of ≈185 KB).
const maxStormBytesPerLoop = 64 << 10

// TestRecorderMemoryPerStorm records storms the way a run does — cut to
// storm-k, a few hundred clients detect and recover, cut to hold-k+1 — and
// measures the heap the recorder retains per storm after a GC.
func TestRecorderMemoryPerStorm(t *testing.T) {
	const loops, clients = 2, 300
	r := newTestRecorder()
	sinks := make([]events, loops)
	for i := range sinks {
		sinks[i] = events{r.Sink(i)}
	}
	var at time.Duration
	storm := func(k int) {
		for _, s := range sinks {
			s.Cut(at, fmt.Sprintf("storm-%d", k+1))
			for i := 0; i < clients; i++ {
				d := time.Duration(i+k) * 731 * time.Microsecond
				s.Disconnected(at, measure.CauseReset)
				s.StormAffected(k)
				s.StormDetected(k, d, measure.CauseReset)
				s.Backoff(d)
				s.Attempt(at+d, d/100)
				s.StormAttempt(k)
				s.Connected(at+d, loadgen.ConnectTiming{Total: d / 10, TCP: d / 20, Upgrade: d / 30})
				s.Reconnected(at+d, d, 2)
				s.StormRecovered(k, d, 2*d, 2)
				s.HeartbeatRTT(d / 50)
				s.Lateness(d / 200)
			}
			s.Cut(at+500*time.Millisecond, fmt.Sprintf("hold-%d", k+2))
			for i := 0; i < clients; i++ {
				s.Lateness(time.Duration(i) * time.Microsecond)
				s.HeartbeatRTT(time.Duration(i) * 3 * time.Microsecond)
				s.Sent(at+time.Second-1, loadgen.TrafficPing, 6)
			}
			s.Gauges(at+time.Second-1, clients, 0, 0)
			s.LoopBusy(at+time.Second-1, time.Millisecond, time.Millisecond, time.Millisecond)
		}
		r.Host(at+time.Second-1, HostSample{TCPMemPages: 1000})
		at += time.Second
	}
	heap := func() uint64 {
		r.comp.wait()
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	const warm, storms = 3, 20
	for k := 0; k < warm; k++ {
		storm(k)
	}
	before := heap()
	for k := warm; k < warm+storms; k++ {
		storm(k)
	}
	after := heap()
	per := (int64(after) - int64(before)) / storms / loops
	t.Logf("a storm retains %d bytes per loop (bound %d)", per, maxStormBytesPerLoop)
	if per > maxStormBytesPerLoop {
		t.Errorf("a storm retains %d bytes per loop, more than the documented %d", per, maxStormBytesPerLoop)
	}
	// The packed histograms still hold every value.
	s := r.Snapshot(at)
	if got := s.Storms[warm].hist(measure.Outage).count(); got != loops*clients {
		t.Errorf("storm %d outage count %d after packing, want %d", warm, got, loops*clients)
	}
	runtime.KeepAlive(r)
}

// TestPackedPhasesMergeExactly checks that packing a closed phase loses
// nothing: a recorder whose closed phases were packed snapshots to the
// same shard as one whose phases are still dense.
func TestPackedPhasesMergeExactly(t *testing.T) {
	packed := scenarioShardWith(t, true)
	dense := scenarioShardWith(t, false)
	if got, want := mustJSON(t, packed), mustJSON(t, dense); got != want {
		t.Errorf("packed phases differ from dense ones:\n%s", firstDiff(got, want))
	}
}

// scenarioShardWith records the scenario and snapshots it after waiting for
// the compactor (pack) or with the compactor's work undone (dense).
func scenarioShardWith(t *testing.T, pack bool) *Shard {
	t.Helper()
	r := newTestRecorder()
	r.StormInfo(0, scenarioInfo)
	feedAll(t, r)
	r.comp.wait()
	if !pack {
		// Unpack every closed set again, as if the compactor had not run.
		for _, s := range r.sinks {
			for _, p := range s.phases {
				unpack(&p.h)
			}
			for _, st := range s.closed {
				unpack(&st.h)
			}
		}
	}
	s := r.Snapshot(scenarioEnd)
	s.Harness = HarnessUsage{}
	return s
}

// unpack turns packed histograms back into dense ones.
func unpack(h *hists) {
	for m, p := range h.packed {
		if p != nil {
			d := newHist(measure.Metric(m))
			p.MergeInto(d)
			h.dense[m] = d
			h.packed[m] = nil
		}
	}
}
