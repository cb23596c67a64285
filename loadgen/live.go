package loadgen

import (
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/stormbench/stormbench/internal/livemetrics"
	"github.com/stormbench/stormbench/internal/wsframe"
)

// Live is a fleet's cumulative figures for a live view of a long run
// (stormbench run --metrics-listen): what the results files hold at the
// end, readable while the run goes on. It travels in the worker protocol,
// so it is plain JSON.
type Live struct {
	// Failures, Disconnects and ProtocolErrors count by cause or rule,
	// keyed by the names results files use; every name is present.
	Failures       map[string]int64 `json:"failures"`
	Disconnects    map[string]int64 `json:"disconnects"`
	ProtocolErrors map[string]int64 `json:"protocol_errors"`

	Reconnects         int64 `json:"reconnects"`
	MessagesReceived   int64 `json:"messages_received"`
	MessagesLost       int64 `json:"messages_lost"`
	MessagesDuplicated int64 `json:"messages_duplicated"`
	BytesSent          int64 `json:"bytes_sent"`
	BytesReceived      int64 `json:"bytes_received"`

	// Connect, Detect, Outage, Reconnect and RTT are the latency
	// histograms (livemetrics.LatencyBuckets layout).
	Connect   livemetrics.Histogram `json:"connect"`
	Detect    livemetrics.Histogram `json:"detect"`
	Outage    livemetrics.Histogram `json:"outage"`
	Reconnect livemetrics.Histogram `json:"reconnect"`
	RTT       livemetrics.Histogram `json:"rtt"`

	// LatenessP99 is the highest of the loops' timer lateness p99 in their
	// latest interval (the upper bound of its bucket); LoopBusy the mean
	// share of that interval the loops were busy; Loops how many loops
	// reported.
	LatenessP99 time.Duration `json:"lateness_p99"`
	LoopBusy    float64       `json:"loop_busy"`
	Loops       int           `json:"loops"`
}

// Add sums two fleets' figures (worker processes of one run).
func (l Live) Add(o Live) (Live, error) {
	var errs [5]error
	l.Failures = addMaps(l.Failures, o.Failures)
	l.Disconnects = addMaps(l.Disconnects, o.Disconnects)
	l.ProtocolErrors = addMaps(l.ProtocolErrors, o.ProtocolErrors)
	l.Reconnects += o.Reconnects
	l.MessagesReceived += o.MessagesReceived
	l.MessagesLost += o.MessagesLost
	l.MessagesDuplicated += o.MessagesDuplicated
	l.BytesSent += o.BytesSent
	l.BytesReceived += o.BytesReceived
	l.Connect, errs[0] = addHist(l.Connect, o.Connect)
	l.Detect, errs[1] = addHist(l.Detect, o.Detect)
	l.Outage, errs[2] = addHist(l.Outage, o.Outage)
	l.Reconnect, errs[3] = addHist(l.Reconnect, o.Reconnect)
	l.RTT, errs[4] = addHist(l.RTT, o.RTT)
	l.LatenessP99 = max(l.LatenessP99, o.LatenessP99)
	if n := l.Loops + o.Loops; n > 0 {
		l.LoopBusy = (l.LoopBusy*float64(l.Loops) + o.LoopBusy*float64(o.Loops)) / float64(n)
	}
	l.Loops += o.Loops
	return l, errors.Join(errs[:]...)
}

func addMaps(a, b map[string]int64) map[string]int64 {
	if a == nil {
		a = make(map[string]int64, len(b))
	}
	for k, v := range b {
		a[k] += v
	}
	return a
}

func addHist(a, b livemetrics.Histogram) (livemetrics.Histogram, error) {
	if len(a.Counts) == 0 {
		return b, nil
	}
	if len(b.Counts) == 0 {
		return a, nil
	}
	return a.Add(b)
}

// LiveReader is a Controller that keeps live figures (Fleet, Multi,
// Remote with Config.Live set).
type LiveReader interface {
	Live() (Live, error)
}

// liveSink passes every measurement on to the recorder's sink and keeps
// the live figures in atomics a scrape reads from any goroutine. Only the
// loop writes; the counters are the loop's own, so they never contend.
type liveSink struct {
	Sink
	interval time.Duration

	failures       [numFailCauses]atomic.Int64
	disconnects    [numCauses]atomic.Int64
	protocolErrors []atomic.Int64 // indexed by wsframe.Rule

	reconnects, received, lost, duplicated, sent, recvBytes atomic.Int64

	connect, detect, outage, reconnect, rtt livemetrics.AtomicHistogram

	// lateness counts the current interval's timer lateness by bucket
	// (loop-owned); at each interval's end its p99 goes to latenessP99.
	lateness    [livemetrics.LatencyBucketCount + 1]uint32
	latenessP99 atomic.Int64
	busy        atomic.Uint64 // float64 bits: busy share of the latest interval
	reported    atomic.Bool
}

func newLiveSink(s Sink, interval time.Duration) *liveSink {
	return &liveSink{Sink: s, interval: interval, protocolErrors: make([]atomic.Int64, len(wsframe.Rules())+1)}
}

func (s *liveSink) Attempt(at, lateness time.Duration) {
	s.late(lateness)
	s.Sink.Attempt(at, lateness)
}

func (s *liveSink) Connected(at time.Duration, c ConnectTiming) {
	s.connect.Observe(c.Total)
	s.Sink.Connected(at, c)
}

func (s *liveSink) Failed(at time.Duration, cause FailCause) {
	if cause < numFailCauses {
		s.failures[cause].Add(1)
	}
	s.Sink.Failed(at, cause)
}

func (s *liveSink) Disconnected(at time.Duration, cause Cause) {
	if cause < numCauses {
		s.disconnects[cause].Add(1)
	}
	s.Sink.Disconnected(at, cause)
}

func (s *liveSink) Reconnected(at, latency time.Duration, attempts int) {
	s.reconnects.Add(1)
	s.reconnect.Observe(latency)
	s.Sink.Reconnected(at, latency, attempts)
}

func (s *liveSink) Lateness(d time.Duration) {
	s.late(d)
	s.Sink.Lateness(d)
}

func (s *liveSink) late(d time.Duration) {
	s.lateness[livemetrics.LatencyBucket(d)]++
}

func (s *liveSink) Sent(at time.Duration, kind Traffic, bytes int) {
	s.sent.Add(int64(bytes))
	s.Sink.Sent(at, kind, bytes)
}

func (s *liveSink) Received(at time.Duration, kind Traffic, bytes int) {
	s.recvBytes.Add(int64(bytes))
	if kind == TrafficMessage {
		s.received.Add(1)
	}
	s.Sink.Received(at, kind, bytes)
}

func (s *liveSink) HeartbeatRTT(d time.Duration) {
	s.rtt.Observe(d)
	s.Sink.HeartbeatRTT(d)
}

func (s *liveSink) MessagesLost(at time.Duration, storm, n int) {
	s.lost.Add(int64(n))
	s.Sink.MessagesLost(at, storm, n)
}

func (s *liveSink) MessageDuplicated(at time.Duration, storm int) {
	s.duplicated.Add(1)
	s.Sink.MessageDuplicated(at, storm)
}

func (s *liveSink) StormDetected(storm int, latency time.Duration, cause Cause) {
	s.detect.Observe(latency)
	s.Sink.StormDetected(storm, latency, cause)
}

func (s *liveSink) StormRecovered(storm int, reconnect, outage time.Duration, attempts int) {
	s.outage.Observe(outage)
	s.Sink.StormRecovered(storm, reconnect, outage, attempts)
}

func (s *liveSink) ProtocolError(at time.Duration, rule wsframe.Rule) {
	if int(rule) < len(s.protocolErrors) {
		s.protocolErrors[rule].Add(1)
	}
	s.Sink.ProtocolError(at, rule)
}

// LoopBusy closes the live interval: its lateness p99 and busy share
// become the latest.
func (s *liveSink) LoopBusy(at, busy, longest, cpu time.Duration) {
	var n uint32
	for _, c := range s.lateness {
		n += c
	}
	if n > 0 {
		need, seen := uint32(math.Ceil(0.99*float64(n))), uint32(0)
		for i, c := range s.lateness {
			seen += c
			if seen >= need {
				s.latenessP99.Store(int64(bucketUpper(i)))
				break
			}
		}
		s.lateness = [len(s.lateness)]uint32{}
	} else {
		s.latenessP99.Store(0)
	}
	if s.interval > 0 {
		s.busy.Store(math.Float64bits(min(float64(busy)/float64(s.interval), 1)))
	}
	s.reported.Store(true)
	s.Sink.LoopBusy(at, busy, longest, cpu)
}

// bucketUpper is the upper bound of latency bucket i (the last is open:
// its lower bound doubled).
func bucketUpper(i int) time.Duration {
	b := livemetrics.LatencyBuckets()
	if i < len(b) {
		return time.Duration(b[i] * float64(time.Second))
	}
	return time.Duration(2 * b[len(b)-1] * float64(time.Second))
}

// live reads the sink's figures.
func (s *liveSink) live() Live {
	l := Live{Failures: make(map[string]int64, numFailCauses), Disconnects: make(map[string]int64, numCauses),
		ProtocolErrors: make(map[string]int64, len(s.protocolErrors))}
	for _, c := range FailCauses() {
		l.Failures[c.String()] = s.failures[c].Load()
	}
	for _, c := range Causes() {
		l.Disconnects[c.String()] = s.disconnects[c].Load()
	}
	for _, r := range wsframe.Rules() {
		if int(r) < len(s.protocolErrors) {
			l.ProtocolErrors[r.String()] = s.protocolErrors[r].Load()
		}
	}
	l.Reconnects, l.MessagesReceived = s.reconnects.Load(), s.received.Load()
	l.MessagesLost, l.MessagesDuplicated = s.lost.Load(), s.duplicated.Load()
	l.BytesSent, l.BytesReceived = s.sent.Load(), s.recvBytes.Load()
	l.Connect, l.Detect, l.Outage = s.connect.Snapshot(), s.detect.Snapshot(), s.outage.Snapshot()
	l.Reconnect, l.RTT = s.reconnect.Snapshot(), s.rtt.Snapshot()
	if s.reported.Load() {
		l.LatenessP99 = time.Duration(s.latenessP99.Load())
		l.LoopBusy = math.Float64frombits(s.busy.Load())
		l.Loops = 1
	}
	return l
}

// Live implements LiveReader: the sum of the fleet's loops.
func (f *Fleet) Live() (Live, error) {
	var out Live
	var errs []error
	for _, sh := range f.shards {
		if sh.live == nil {
			return out, fmt.Errorf("live figures: the fleet was not built with Config.Live")
		}
		var err error
		if out, err = out.Add(sh.live.live()); err != nil {
			errs = append(errs, err)
		}
	}
	return out, errors.Join(errs...)
}

// Live implements LiveReader: the sum of the fleets.
func (m Multi) Live() (Live, error) {
	parts := make([]Live, len(m))
	err := m.each(func(i int, c Controller) error {
		lr, ok := c.(LiveReader)
		if !ok {
			return fmt.Errorf("live figures: fleet %d keeps none", i)
		}
		var e error
		parts[i], e = lr.Live()
		return e
	})
	var out Live
	for _, p := range parts {
		var e error
		if out, e = out.Add(p); e != nil {
			err = errors.Join(err, e)
		}
	}
	return out, err
}

// Live implements LiveReader through the worker protocol.
func (m *Remote) Live() (Live, error) {
	p, err := m.call(request{Op: "live"})
	if err != nil || p.Live == nil {
		return Live{}, err
	}
	return *p.Live, nil
}
