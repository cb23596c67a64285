package reporter

import (
	"strings"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/measure"

	"github.com/stormbench/stormbench/loadgen"
)

func TestSummaryInvariants(t *testing.T) {
	s := scenarioShard(t)
	sum := Summarize(s, SummaryOptions{})
	c := sum.Counters

	t.Run("counters equal series sums", func(t *testing.T) {
		for _, col := range measure.Columns() {
			if counterName(col) == "" {
				continue
			}
			got, want := c.Get(col), s.total(col)
			if got != want {
				t.Errorf("%s = %d, series sum %d", col, got, want)
			}
		}
		for _, col := range []measure.Column{measure.Attempts, measure.Connects, measure.Failures, measure.Disconnects,
			measure.GaveUp, measure.PingsSent, measure.PongsReceived, measure.BytesSent, measure.BytesReceived,
			measure.MessagesReceived, measure.MessagesLost, measure.MessagesDuplicated, measure.Reconnects} {
			if c.Get(col) == 0 {
				t.Errorf("%s is 0: the scenario must exercise it", col)
			}
		}
	})
	t.Run("attempts equal connects plus failures", func(t *testing.T) {
		if c.Get(measure.Attempts) != c.Get(measure.Connects)+c.Get(measure.Failures) {
			t.Errorf("attempts %d != connects %d + failures %d", c.Get(measure.Attempts), c.Get(measure.Connects), c.Get(measure.Failures))
		}
	})
	t.Run("causes add up", func(t *testing.T) {
		if n := sumCounts(c.Keys(measure.FailureCauses)); n != c.Get(measure.Failures) {
			t.Errorf("failure causes sum to %d, failures %d", n, c.Get(measure.Failures))
		}
		if n := sumCounts(c.Keys(measure.DisconnectCauses)); n != c.Get(measure.Disconnects) {
			t.Errorf("disconnect causes sum to %d, disconnects %d", n, c.Get(measure.Disconnects))
		}
	})
	t.Run("histogram counts", func(t *testing.T) {
		st := sum.Storms[0]
		for name, want := range map[string]int64{
			"connect_latency":       c.Get(measure.Connects),
			"connect_tcp":           c.Get(measure.Connects),
			"reconnect_latency":     c.Get(measure.Reconnects),
			"attempts_per_recovery": c.Get(measure.Reconnects),
			"detect_latency":        st.Detected,
			"outage":                st.Recovered,
			"heartbeat_rtt":         c.Get(measure.PingsSent),
			"timer_lateness":        c.Get(measure.Attempts) + c.Get(measure.PingsSent),
		} {
			if got := sum.Histograms[name].Count; got != want {
				t.Errorf("%s count = %d, want %d", name, got, want)
			}
		}
	})
	t.Run("storm", func(t *testing.T) {
		st := sum.Storms[0]
		const affected = scenarioLoops * scenarioClients / 2
		if st.Affected != affected || st.Detected != affected || st.Recovered != affected-1 {
			t.Errorf("affected/detected/recovered = %d/%d/%d, want %d/%d/%d", st.Affected, st.Detected, st.Recovered, affected, affected, affected-1)
		}
		if st.FailedAttempts != st.Attempts-st.Recovered {
			t.Errorf("failed attempts %d != %d - %d", st.FailedAttempts, st.Attempts, st.Recovered)
		}
		if st.Fault != "abort" || st.T0 != 3 || st.End != 6 {
			t.Errorf("fault %q t0 %v end %v", st.Fault, st.T0, st.End)
		}
		if n := sumCounts(st.DetectCauses); n != st.Detected {
			t.Errorf("detect causes sum %d, detected %d", n, st.Detected)
		}
		if st.MessagesLost != 3*scenarioLoops+15 {
			t.Errorf("storm messages lost %d", st.MessagesLost)
		}
		if st.RecoveryMs.P50 == nil || st.RecoveryMs.P100 != nil {
			t.Errorf("recovery p50 %v p100 %v: want p50 set, p100 null (one client gave up)", st.RecoveryMs.P50, st.RecoveryMs.P100)
		}
	})
	t.Run("heartbeat", func(t *testing.T) {
		hb := sum.Heartbeat
		const frames = scenarioLoops * 200 * 2
		if hb.FramesSent != frames || hb.FramesReceived != frames {
			t.Errorf("frames %d/%d, want %d", hb.FramesSent, hb.FramesReceived, frames)
		}
		if hb.BytesSent != frames/2*12 || hb.BytesReceived != frames/2*4 {
			t.Errorf("bytes %d/%d", hb.BytesSent, hb.BytesReceived)
		}
		connS := float64(s.total(measure.Open)) * 0.1
		if want := float64(hb.BytesSent+hb.BytesReceived) / connS; hb.BytesPerConnS != want {
			t.Errorf("bytes per conn-s %v, want %v", hb.BytesPerConnS, want)
		}
		if want := float64(2*frames) / scenarioEnd.Seconds(); hb.FramesPerS != want {
			t.Errorf("frames per s %v, want %v", hb.FramesPerS, want)
		}
	})
	t.Run("phases", func(t *testing.T) {
		var names []string
		for _, p := range sum.Harness.Phases {
			names = append(names, p.Name)
		}
		if got := len(names); got != 4 || names[0] != "start" || names[1] != "hold" || names[3] != "drain" {
			t.Fatalf("phases %v", names)
		}
		if p := sum.Harness.Phases[1]; p.StartS != 1 || p.EndS != 3 {
			t.Errorf("hold phase %v..%v, want 1..3 (earliest cut)", p.StartS, p.EndS)
		}
		if p := sum.Harness.Phases[3]; p.EndS != scenarioEnd.Seconds() {
			t.Errorf("last phase ends at %v", p.EndS)
		}
	})
}

func TestRecoveryFleet(t *testing.T) {
	// Eight clients recover with outages of 0.2ms, 0.4ms … 1.6ms.
	tests := []struct {
		name              string
		affected          int // StormInfo.Affected; -1 uses the count
		counted           int
		p50, p90, p99, pm *float64
	}{
		{name: "server count 10", affected: 10, counted: 8, p50: f(1.0)},
		{name: "server count 8", affected: 8, counted: 8, p50: f(0.8), p90: f(1.6), p99: f(1.6), pm: f(1.6)},
		{name: "clients' count", affected: -1, counted: 9, p50: f(1.0), p90: nil},
		{name: "server count 16", affected: 16, counted: 8, p50: f(1.6)},
		{name: "nobody affected", affected: 0, counted: 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newTestRecorder()
			s := events{r.Sink(0)}
			for i := 0; i < tt.counted; i++ {
				s.StormAffected(0)
			}
			for i := 1; i <= 8; i++ {
				o := time.Duration(i) * 200 * time.Microsecond
				s.StormRecovered(0, o/2, o, 1)
			}
			r.StormInfo(0, loadgen.StormInfo{Fault: "close", Affected: tt.affected})
			st := Summarize(r.Snapshot(time.Second), SummaryOptions{}).Storms[0]
			for _, c := range []struct {
				name      string
				got, want *float64
			}{{"p50", st.RecoveryMs.P50, tt.p50}, {"p90", st.RecoveryMs.P90, tt.p90}, {"p99", st.RecoveryMs.P99, tt.p99}, {"p100", st.RecoveryMs.P100, tt.pm}} {
				if (c.got == nil) != (c.want == nil) || (c.got != nil && *c.got != *c.want) {
					t.Errorf("%s = %s, want %s", c.name, optMs(c.got), optMs(c.want))
				}
			}
		})
	}
}

func f(v float64) *float64 { return &v }

func TestPeakAttempts(t *testing.T) {
	r := NewRecorder(Options{Start: testStart, Interval: 100 * time.Millisecond})
	a, b := events{r.Sink(0)}, events{r.Sink(1)}
	// Buckets: [0.0,0.1): 3, [0.5,0.6): 2+2 over two loops, [1.0,1.1): 7.
	for i := 0; i < 3; i++ {
		a.Attempt(50*time.Millisecond, 0)
	}
	for i := 0; i < 2; i++ {
		a.Attempt(550*time.Millisecond, 0)
		b.Attempt(599*time.Millisecond, 0)
	}
	for i := 0; i < 7; i++ {
		b.Attempt(time.Second, 0)
	}
	s := r.Snapshot(2 * time.Second)
	tests := []struct {
		t0, end time.Duration
		want    float64
	}{
		{0, 2 * time.Second, 70},
		{200 * time.Millisecond, 900 * time.Millisecond, 40},
		{599 * time.Millisecond, 600 * time.Millisecond, 40},
		{600 * time.Millisecond, time.Second, 0}, // [1.0,1.1) only touches end
		{600 * time.Millisecond, time.Second + 1, 70},
		{90 * time.Millisecond, 90 * time.Millisecond, 30},
		{5 * time.Second, 6 * time.Second, 0},
	}
	for _, tt := range tests {
		t.Run(formatSeconds(tt.t0)+"-"+formatSeconds(tt.end), func(t *testing.T) {
			if got := peakAttemptsPerS(s, tt.t0, tt.end); got != tt.want {
				t.Errorf("peak = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestGaugesCarryForward(t *testing.T) {
	r := newTestRecorder()
	a, b := events{r.Sink(0)}, events{r.Sink(1)}
	a.Gauges(100*time.Millisecond-1, 5, 1, 0) // the end of the first interval
	a.Gauges(200*time.Millisecond-1, 6, 0, 1)
	b.Gauges(99*time.Millisecond, 1, 0, 0)
	b.Gauges(250*time.Millisecond, 2, 0, 0)
	b.Gauges(299*time.Millisecond, 3, 0, 0) // the last report of an interval wins
	a.Gauges(430*time.Millisecond, 0, 0, 0) // the final report, in the partial last interval
	s := r.Snapshot(450 * time.Millisecond)
	want := [][3]int64{{6, 1, 0}, {7, 0, 1}, {9, 0, 1}, {9, 0, 1}, {3, 0, 0}}
	if len(s.Series) != len(want) {
		t.Fatalf("%d rows, want %d", len(s.Series), len(want))
	}
	for i, w := range want {
		if got := [3]int64(s.Series[i][:3]); got != w {
			t.Errorf("row %d gauges %v, want %v", i, got, w)
		}
	}
}

// TestVerdict: lateness over the bound is explained by the loops' own
// record: saturated when they were busy ≥ 90 % for a second and more,
// starved when they were mostly idle, a burst otherwise; and only the
// first two flag the run saturated. A starved harness whose own threads
// outside the loops took the CPU is told apart from one other processes
// starved.
func TestVerdict(t *testing.T) {
	type interval struct{ busy, stall, cpu, proc time.Duration }
	busyFor := func(n int, busy, stall time.Duration) []interval {
		out := make([]interval, n)
		for i := range out {
			out[i] = interval{busy, stall, busy, 0}
		}
		return out
	}
	preempted := func(n int, busy, cpu, proc time.Duration) []interval {
		out := make([]interval, n)
		for i := range out {
			out[i] = interval{busy, busy, cpu, proc}
		}
		return out
	}
	tests := []struct {
		name      string
		lateness  time.Duration
		bound     time.Duration
		intervals []interval // of the phase "storm-1", 100 ms each
		want      VerdictState
		saturated bool
		self      bool // the cause is the load generator's own threads
	}{
		{"within the bound", 4 * time.Millisecond, 0, busyFor(10, 95*time.Millisecond, 90*time.Millisecond), VerdictOK, false, false},
		{"burst", 60 * time.Millisecond, 0, append(busyFor(5, 98*time.Millisecond, 95*time.Millisecond), busyFor(15, 10*time.Millisecond, time.Millisecond)...), VerdictBurst, false, false},
		{"saturated", 200 * time.Millisecond, 0, busyFor(20, 99*time.Millisecond, 100*time.Millisecond), VerdictSaturated, true, false},
		{"starved", 12 * time.Millisecond, 0, busyFor(20, 10*time.Millisecond, time.Millisecond), VerdictStarved, true, false},
		{"custom bound", 2 * time.Millisecond, time.Millisecond, busyFor(20, 10*time.Millisecond, 500*time.Microsecond), VerdictStarved, true, false},
		{"busy but preempted", 300 * time.Millisecond, 0, preempted(20, 99*time.Millisecond, 20*time.Millisecond, 0), VerdictStarved, true, false},
		{"preempted, little outside the loops", 300 * time.Millisecond, 0, preempted(20, 99*time.Millisecond, 20*time.Millisecond, 30*time.Millisecond), VerdictStarved, true, false},
		{"preempted by its own TLS relays", 300 * time.Millisecond, 0, preempted(20, 99*time.Millisecond, 20*time.Millisecond, 110*time.Millisecond), VerdictStarved, true, true},
		{"idle loops, busy process", 12 * time.Millisecond, 0, preempted(20, 10*time.Millisecond, 3*time.Millisecond, 60*time.Millisecond), VerdictStarved, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newTestRecorder()
			s := events{r.Sink(0)}
			s.Cut(time.Second, "storm-1")
			for i, iv := range tt.intervals {
				at := time.Second + time.Duration(i)*100*time.Millisecond
				s.LoopBusy(at, iv.busy, iv.stall, iv.cpu)
				if iv.proc > 0 {
					s.ProcessCPU(at, iv.proc)
				}
				s.Lateness(tt.lateness)
				s.Attempt(at, 0)
			}
			end := time.Second + time.Duration(len(tt.intervals))*100*time.Millisecond
			s.Cut(end, "quiet")
			s.Lateness(0)
			h := Summarize(r.Snapshot(end+time.Second), SummaryOptions{LatenessBound: tt.bound}).Harness
			ph := h.Phases[1]
			if ph.Name != "storm-1" || ph.Verdict.State != tt.want {
				t.Fatalf("%s verdict %v (%+v), want %v", ph.Name, ph.Verdict.State, ph.Verdict, tt.want)
			}
			if h.Saturated != tt.saturated || ph.Saturated != tt.saturated || h.Phases[2].Saturated {
				t.Errorf("saturated run %v, phase %v; want %v", h.Saturated, ph.Saturated, tt.saturated)
			}
			if tt.want != VerdictOK && (ph.Verdict.Cause == "" || ph.Verdict.Affects == "" || ph.Verdict.Remedy == "") {
				t.Errorf("verdict without cause, effect or remedy: %+v", ph.Verdict)
			}
			if self := strings.Contains(ph.Verdict.Cause, "starved itself"); tt.want == VerdictStarved && self != tt.self {
				t.Errorf("cause %q: want the harness's own threads blamed %v (outside the loops %.2f cores)", ph.Verdict.Cause, tt.self, ph.Verdict.OutsideLoopsCores)
			}
			if tt.want == VerdictBurst && ph.Verdict.DelayMs < 95 {
				t.Errorf("burst delay %v ms, want the 95 ms stall", ph.Verdict.DelayMs)
			}
		})
	}
}

func TestFormatSeconds(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0"}, {100 * time.Millisecond, "0.1"}, {1300 * time.Millisecond, "1.3"},
		{3 * time.Second, "3"}, {time.Nanosecond, "0.000000001"}, {-1500 * time.Millisecond, "-1.5"},
	}
	for _, tt := range tests {
		if got := formatSeconds(tt.d); got != tt.want {
			t.Errorf("formatSeconds(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
