package reporter

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/measure"

	"github.com/stormbench/stormbench/internal/wsframe"
	"github.com/stormbench/stormbench/loadgen"
)

// testStart is the fixed wall-clock start of the synthetic runs.
var testStart = time.Date(2025, 3, 14, 15, 9, 26, 535_000_000, time.UTC)

// Synthetic run parameters.
const (
	scenarioLoops   = 6
	scenarioClients = 20
	scenarioEnd     = 8*time.Second + 30*time.Millisecond
	scenarioT0      = 3 * time.Second
)

// scenarioInfo is the coordinator's facts of the synthetic storm.
var scenarioInfo = loadgen.StormInfo{Fault: "abort", T0: scenarioT0, End: 6 * time.Second, Affected: -1}

// feed plays the deterministic event stream of one event loop into s: a ramp
// with some refused attempts, traffic and gauges, a storm at scenarioT0 that
// hits half of the clients, and phase cuts. The stream depends only on loop,
// so it can be routed to any recorder.
func feed(loop int, s events) {
	rng := rand.New(rand.NewPCG(uint64(loop), 42))
	failCauses := []measure.FailCause{measure.FailRefused, measure.FailTimeout, measure.FailUnavailable, measure.FailReset}
	dur := func(lo, hi int) time.Duration {
		return time.Duration(lo)*time.Millisecond + time.Duration(rng.IntN((hi-lo)*1000))*time.Microsecond
	}
	attempt := func(at time.Duration, ok bool) {
		s.Attempt(at, dur(0, 2))
		if ok {
			s.Connected(at, loadgen.ConnectTiming{Total: dur(1, 5), TCP: dur(0, 1), Upgrade: dur(0, 3)})
			return
		}
		s.Failed(at, failCauses[rng.IntN(len(failCauses))])
	}
	// Ramp: every client connects, some after a refused attempt.
	for c := 0; c < scenarioClients; c++ {
		at := dur(0, 900)
		if c%4 == 0 {
			attempt(at, false)
			d := dur(10, 50)
			s.Backoff(d)
			at += d
		}
		attempt(at, true)
	}
	s.Cut(time.Second+time.Duration(loop)*time.Microsecond, "hold")
	// Gauges at every interval end, as loadgen reports them; loop 2 misses some ticks (they carry forward).
	for k := 1; k*100 <= 8000; k++ {
		if loop == 2 && k%7 == 0 {
			continue
		}
		open := scenarioClients
		if k > 30 && k <= 45 {
			open = scenarioClients / 2
		}
		s.Gauges(time.Duration(k)*100*time.Millisecond-1, open, scenarioClients-open, 0)
		// The loop's busy time of the interval: more while the storm lasts.
		busy := time.Duration(5+loop+k%7) * time.Millisecond
		if k > 30 && k <= 45 {
			busy += 40 * time.Millisecond
		}
		s.LoopBusy(time.Duration(k)*100*time.Millisecond-1, busy, busy/2, busy)
	}
	// Heartbeats and broadcast traffic.
	for i := 0; i < 200; i++ {
		at := dur(1000, 8000)
		s.Sent(at, loadgen.TrafficPing, 6)
		s.Received(at+dur(0, 1), loadgen.TrafficPong, 2)
		s.HeartbeatRTT(dur(0, 3))
		s.Lateness(dur(0, 1))
		s.Received(at, loadgen.TrafficMessage, 40)
		s.Received(at, loadgen.TrafficPing, 2)
		s.Sent(at, loadgen.TrafficPong, 6)
		s.Sent(at, loadgen.TrafficOther, 30)
	}
	s.Cut(scenarioT0, "storm-1")
	// The storm: half of the clients lose their connection.
	for c := 0; c < scenarioClients/2; c++ {
		s.StormAffected(0)
		det := dur(0, 20)
		cause := measure.CauseEOF
		if c%3 == 0 {
			cause = measure.CauseReset
		}
		s.Disconnected(scenarioT0+det, cause)
		s.StormDetected(0, det, cause)
		at := scenarioT0 + det
		tries := 1 + c%3
		if loop == 5 && c == 0 {
			s.GaveUp(at + time.Second)
			continue
		}
		for a := 0; a < tries; a++ {
			d := dur(50, 400)
			s.Backoff(d)
			at += d
			s.StormAttempt(0)
			attempt(at, a == tries-1)
		}
		rec := at + dur(1, 5) - (scenarioT0 + det)
		s.Reconnected(at, rec, tries)
		s.StormRecovered(0, rec, det+rec, tries)
	}
	s.MessagesLost(scenarioT0+time.Second, 0, 3+loop)
	s.MessagesLost(7*time.Second, -1, 1)
	s.MessageDuplicated(scenarioT0+time.Second, 0)
	// One server breaks RFC 6455 on some loops' connections.
	if loop%2 == 0 {
		s.ProtocolError(6500*time.Millisecond, wsframe.RuleMaskedFrame)
		s.Disconnected(6500*time.Millisecond, measure.CauseProtocolError)
	}
	if loop == 1 {
		s.ProtocolError(6600*time.Millisecond, wsframe.RuleBadCloseCode)
		s.Disconnected(6600*time.Millisecond, measure.CauseProtocolError)
	}
	s.Cut(7*time.Second, "drain")
	for c := 0; c < scenarioClients; c++ {
		s.Disconnected(dur(7900, 8030), measure.CauseDrain)
	}
}

// feedAll feeds the scenario's loops to recorders: loop j goes to recorder
// j % len(recs), as that recorder's loop j / len(recs).
func feedAll(t testing.TB, recs ...*Recorder) {
	t.Helper()
	for j := 0; j < scenarioLoops; j++ {
		feed(j, events{recs[j%len(recs)].Sink(j / len(recs))})
	}
}

// newTestRecorder returns a recorder anchored at testStart.
func newTestRecorder() *Recorder {
	return NewRecorder(Options{Start: testStart})
}

// scenarioShard records the whole scenario in one recorder and returns its
// snapshot with a fixed harness usage.
func scenarioShard(t testing.TB) *Shard {
	t.Helper()
	r := newTestRecorder()
	r.StormInfo(0, scenarioInfo)
	feedAll(t, r)
	s := r.Snapshot(scenarioEnd)
	s.Harness = HarnessUsage{Processes: 1, PeakRSSBytes: 48 << 20, CPUSeconds: 1.25}
	return s
}

// mustJSON marshals v or fails the test.
func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return string(b)
}

// tally counts what was fed into sinks, independently of the recorder: the
// sum every timeseries.csv column must have, the values every histogram
// must hold, and the protocol rules. It is the oracle of the results files.
type tally struct {
	columns map[string]int64
	hists   map[string]int64
	rules   map[string]int64
}

func newTally() *tally {
	return &tally{columns: map[string]int64{}, hists: map[string]int64{}, rules: map[string]int64{}}
}

// tallySink forwards everything to the recorder's sink and counts it
// there, by name: what every timeseries.csv column must sum to, how many
// values every histogram must hold, the protocol rules.
type tallySink struct {
	loadgen.Sink
	t *tally
}

func (s tallySink) Record(at time.Duration, c measure.Column, v int64) {
	if c.Kind() == measure.Count {
		s.t.columns[c.String()] += v
	}
	s.Sink.Record(at, c, v)
}

func (s tallySink) RecordKey(at time.Duration, f measure.Family, k int) {
	if t := f.Def().Total; t < measure.NumColumns {
		s.t.columns[t.String()]++
	}
	if f == measure.ProtocolErrors {
		s.t.rules[f.KeyName(k)]++
	}
	s.Sink.RecordKey(at, f, k)
}

func (s tallySink) Observe(m measure.Metric, v int64) {
	s.t.hists[m.String()]++
	s.Sink.Observe(m, v)
}

func (s tallySink) Storm(k int, e loadgen.StormEvent) {
	switch e.Kind {
	case loadgen.StormDetected:
		s.t.hists[measure.DetectLatency.String()]++
	case loadgen.StormRecovered:
		s.t.hists[measure.Outage.String()]++
	}
	s.Sink.Storm(k, e)
}

// tallyShard records the scenario in one recorder through tally sinks and
// returns its snapshot and what was fed.
func tallyShard(t testing.TB) (*Shard, *tally) {
	t.Helper()
	r := newTestRecorder()
	r.StormInfo(0, scenarioInfo)
	fed := newTally()
	for j := 0; j < scenarioLoops; j++ {
		feed(j, events{tallySink{Sink: r.Sink(j), t: fed}})
	}
	s := r.Snapshot(scenarioEnd)
	s.Harness = HarnessUsage{Processes: 1, PeakRSSBytes: 48 << 20, CPUSeconds: 1.25}
	return s, fed
}
