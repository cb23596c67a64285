package reporter

import (
	"bytes"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/measure"

	"github.com/stormbench/stormbench/internal/wsframe"
	"github.com/stormbench/stormbench/loadgen"
)

// warmSink returns a sink whose intervals, phase histograms and storm record
// for the first second already exist, as in a loop's steady state.
func warmSink() events {
	s := events{newTestRecorder().Sink(0)}
	feed(0, s)
	return s
}

func TestSinkHotPathDoesNotAllocate(t *testing.T) {
	s := warmSink()
	c := loadgen.ConnectTiming{Total: time.Millisecond, TCP: 100 * time.Microsecond, Upgrade: 500 * time.Microsecond}
	tests := []struct {
		name string
		call func()
	}{
		{"Attempt", func() { s.Attempt(time.Second, time.Millisecond) }},
		{"Connected", func() { s.Connected(time.Second, c) }},
		{"Failed", func() { s.Failed(time.Second, measure.FailRefused) }},
		{"Disconnected", func() { s.Disconnected(time.Second, measure.CauseEOF) }},
		{"Reconnected", func() { s.Reconnected(time.Second, time.Second, 3) }},
		{"GaveUp", func() { s.GaveUp(time.Second) }},
		{"Backoff", func() { s.Backoff(time.Second) }},
		{"Lateness", func() { s.Lateness(time.Millisecond) }},
		{"Sent", func() { s.Sent(time.Second, loadgen.TrafficPing, 6) }},
		{"Received", func() { s.Received(time.Second, loadgen.TrafficMessage, 60) }},
		{"HeartbeatRTT", func() { s.HeartbeatRTT(time.Millisecond) }},
		{"MessagesLost", func() { s.MessagesLost(time.Second, 0, 2) }},
		{"MessageDuplicated", func() { s.MessageDuplicated(time.Second, 0) }},
		{"Gauges", func() { s.Gauges(time.Second, 1, 2, 3) }},
		{"StormAffected", func() { s.StormAffected(0) }},
		{"StormDetected", func() { s.StormDetected(0, time.Millisecond, measure.CauseReset) }},
		{"StormAttempt", func() { s.StormAttempt(0) }},
		{"StormRecovered", func() { s.StormRecovered(0, time.Second, time.Second, 2) }},
		{"ProtocolError", func() { s.ProtocolError(time.Second, wsframe.RuleMaskedFrame) }},
		{"LoopBusy", func() { s.LoopBusy(time.Second, 30*time.Millisecond, 10*time.Millisecond, 30*time.Millisecond) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := testing.AllocsPerRun(100, tt.call); n != 0 {
				t.Errorf("%s allocates %v times per call", tt.name, n)
			}
		})
	}
}

func TestSinkClampsOutOfRange(t *testing.T) {
	r := newTestRecorder()
	s := events{r.Sink(0)}
	s.Attempt(-time.Second, -time.Millisecond)     // negative offset and lateness
	s.Lateness(3 * time.Hour)                      // above the histogram range
	s.Reconnected(time.Second, time.Second, -1)    // negative attempts
	s.Reconnected(time.Second, time.Second, 1<<40) // attempts above the range
	s.Failed(0, measure.FailCause(200))            // unknown cause
	s.StormAffected(-1)                            // no storm
	s.StormAffected(maxStorms)                     // storm index out of range
	sh := r.Snapshot(time.Second)
	sum := Summarize(sh, SummaryOptions{})
	if got := sum.Histograms["timer_lateness"].Count; got != 2 {
		t.Errorf("lateness count %d, want 2", got)
	}
	if got := sum.Histograms["timer_lateness"].Max; got < 3_600_000*0.999 {
		t.Errorf("lateness max %v ms, want clamped near one hour", got)
	}
	if got := sum.Histograms["attempts_per_recovery"].Count; got != 2 {
		t.Errorf("attempts count %d, want 2", got)
	}
	if sum.Counters.Keys(measure.FailureCauses)["unknown"] != 1 || sum.Counters.Get(measure.Attempts) != 1 || sh.Series[0][measure.Attempts] != 1 {
		t.Errorf("unknown cause or negative offset not counted: %v, %v", sum.Counters.Keys(measure.FailureCauses), sh.Series[0])
	}
	if len(sum.Storms) != 0 {
		t.Errorf("%d storms, want none", len(sum.Storms))
	}
	ser := series{interval: 100 * time.Millisecond}
	if got := ser.bucket(365 * 24 * time.Hour); got != maxBuckets-1 {
		t.Errorf("bucket of a year = %d, want the last one %d", got, maxBuckets-1)
	}
}

func TestSinkReuse(t *testing.T) {
	r := newTestRecorder()
	if r.Sink(3) != r.Sink(3) {
		t.Error("Sink(3) returned two different sinks")
	}
	if got := r.Snapshot(0).Loops; got != 1 {
		t.Errorf("%d loops, want 1", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("Sink(-1) did not panic")
		}
	}()
	r.Sink(-1)
}

func BenchmarkSink(b *testing.B) {
	s := warmSink()
	at := time.Second + 300*time.Millisecond
	benches := []struct {
		name string
		call func(i int)
	}{
		{"Sent", func(i int) { s.Sent(at, loadgen.TrafficPing, 6) }},
		{"Received", func(i int) { s.Received(at, loadgen.TrafficMessage, 64) }},
		{"Lateness", func(i int) { s.Lateness(time.Duration(i&1023) * time.Microsecond) }},
		{"HeartbeatRTT", func(i int) { s.HeartbeatRTT(time.Duration(i&4095) * time.Microsecond) }},
		{"Attempt", func(i int) { s.Attempt(at, time.Duration(i&1023)*time.Microsecond) }},
		{"ProtocolError", func(i int) { s.ProtocolError(at, wsframe.Rule(i&15)) }},
		{"LoopBusy", func(i int) {
			s.LoopBusy(at, time.Duration(i&1023)*time.Microsecond, time.Duration(i&511)*time.Microsecond, time.Duration(i&255)*time.Microsecond)
		}},
	}
	for _, bb := range benches {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				bb.call(i)
			}
		})
	}
}

func BenchmarkSnapshotMergeSummarize(b *testing.B) {
	b.ReportAllocs()
	// Each iteration records the whole scenario: compare across changes, not
	// with the sink benchmarks.
	for b.Loop() {
		recs := []*Recorder{newTestRecorder(), newTestRecorder()}
		feedAll(b, recs...)
		m, err := Merge(recs[0].Snapshot(scenarioEnd), recs[1].Snapshot(scenarioEnd))
		if err != nil {
			b.Fatal(err)
		}
		Summarize(m, SummaryOptions{})
	}
}

func TestSnapshotHarnessUsage(t *testing.T) {
	h := newTestRecorder().Snapshot(time.Second).Harness
	if h.Processes != 1 || h.PeakRSSBytes < 1<<20 || h.CPUSeconds <= 0 {
		t.Errorf("usage %+v: want one process, an RSS of at least 1 MiB and some CPU time", h)
	}
}

func TestRecorderConcurrentSetup(t *testing.T) {
	r := newTestRecorder()
	done := make(chan struct{})
	for i := 0; i < 4; i++ {
		go func() {
			defer func() { done <- struct{}{} }()
			s := events{r.Sink(i)}
			feed(i, s)
			r.StormInfo(i, loadgen.StormInfo{Fault: "close", Affected: -1})
		}()
	}
	for i := 0; i < 4; i++ {
		<-done
	}
	if s := r.Snapshot(scenarioEnd); s.Loops != 4 || len(s.Storms) != 4 || s.Storms[3].Info == nil {
		t.Errorf("%d loops, %d storms", s.Loops, len(s.Storms))
	}
}

func TestProtocolErrorsByRule(t *testing.T) {
	r := newTestRecorder()
	a, b := events{r.Sink(0)}, events{r.Sink(1)}
	for _, rule := range []wsframe.Rule{wsframe.RuleMaskedFrame, wsframe.RuleMaskedFrame, wsframe.RuleInvalidUTF8} {
		a.ProtocolError(time.Second, rule)
		a.Disconnected(time.Second, measure.CauseProtocolError)
	}
	b.ProtocolError(time.Second, wsframe.RuleMaskedFrame)
	b.ProtocolError(time.Second, wsframe.Rule(200)) // not a rule: counted as unknown
	sh := r.Snapshot(2 * time.Second)
	want := map[string]int64{"masked_frame": 3, "invalid_utf8": 1, "unknown": 1}
	if !maps.Equal(sh.Keys[measure.ProtocolErrors], want) {
		t.Errorf("shard protocol errors %v, want %v", sh.Keys[measure.ProtocolErrors], want)
	}
	m, err := Merge(sh, sh2(t, r))
	if err != nil {
		t.Fatal(err)
	}
	sum := Summarize(m, SummaryOptions{})
	if got := sum.Counters.Keys(measure.ProtocolErrors)["masked_frame"]; got != 6 {
		t.Errorf("merged masked_frame %d, want 6", got)
	}
	var out bytes.Buffer
	if err := PrintSummary(&out, sum); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "protocol_error 6") || !strings.Contains(out.String(), "masked_frame 6") {
		t.Errorf("the protocol errors are not printed next to the cause:\n%s", out.String())
	}
}

// sh2 returns another snapshot of r (for a merge of two equal halves).
func sh2(t *testing.T, r *Recorder) *Shard {
	t.Helper()
	return r.Snapshot(2 * time.Second)
}

func TestLoopUtilisation(t *testing.T) {
	r := newTestRecorder() // 100 ms intervals
	a, b := events{r.Sink(0)}, events{r.Sink(1)}
	// start: 0–1 s, both loops 10 % busy; storm-1: 1–2 s, loop a 90 % in
	// one interval and 50 % in the others, loop b 10 %.
	for k := 1; k <= 20; k++ {
		at := time.Duration(k)*100*time.Millisecond - 1
		if k == 11 {
			a.Cut(time.Second, "storm-1")
			b.Cut(time.Second, "storm-1")
		}
		busyA := 10 * time.Millisecond
		if k > 10 {
			busyA = 50 * time.Millisecond
		}
		if k == 15 {
			busyA = 90 * time.Millisecond
		}
		a.LoopBusy(at, busyA, busyA, busyA)
		b.LoopBusy(at, 10*time.Millisecond, 10*time.Millisecond, 10*time.Millisecond)
	}
	s := r.Snapshot(2 * time.Second)
	if got := s.total(measure.LoopBusy); got != (10*10+9*50+90+20*10)*1000 {
		t.Errorf("loop_busy_us sums to %d", got)
	}
	h := Summarize(s, SummaryOptions{}).Harness
	near := func(got, want float64) bool { return got > want-1e-9 && got < want+1e-9 }
	tests := []struct {
		name      string
		u         *Utilisation
		mean, max float64
	}{
		{"start", h.Phases[0].LoopUtilisation, 0.10, 0.10},
		{"storm-1", h.Phases[1].LoopUtilisation, (9*0.5 + 0.9 + 10*0.1) / 20, 0.5},
		{"run", h.LoopUtilisation, (10*0.1 + 9*0.5 + 0.9 + 20*0.1) / 40, 0.5},
	}
	for _, tt := range tests {
		if tt.u == nil {
			t.Errorf("%s: no utilisation", tt.name)
			continue
		}
		if !near(tt.u.Mean, tt.mean) || !near(tt.u.Max, tt.max) {
			t.Errorf("%s: mean %v max %v, want %v %v", tt.name, tt.u.Mean, tt.u.Max, tt.mean, tt.max)
		}
	}
	if u := Summarize(newTestRecorder().Snapshot(time.Second), SummaryOptions{}).Harness.LoopUtilisation; u != nil {
		t.Errorf("utilisation %+v without reports, want none", u)
	}
}
