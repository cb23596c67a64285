package reporter

import (
	"time"

	"github.com/stormbench/stormbench/internal/wsframe"
	"github.com/stormbench/stormbench/loadgen"
)

// sink records the measurements of one event loop. Only the loop's goroutine
// calls it, so it holds no locks; after the first use of an interval, phase or
// storm its methods do not allocate.
//
// A storm's events come only while its window is open (loadgen's StormBegin
// to StormEnd), which lies within its "storm-k" phase; so at every Cut the
// open storm records are closed, and with the phase they are handed to the
// compactor. An event for a closed storm (not expected) opens a new record
// for it, and the records merge at Snapshot.
type sink struct {
	series     series
	phases     []*phase
	cur        *phase
	failCauses []int64 // indexed by loadgen.FailCause
	discCauses []int64 // indexed by loadgen.Cause
	rules      []int64 // indexed by wsframe.Rule
	storms     []*stormRec
	closed     []*stormRec
	nCauses    int
	comp       *compactor
}

var _ loadgen.Sink = (*sink)(nil)

func newSink(interval time.Duration, nCauses, nFailCauses int, comp *compactor) *sink {
	s := &sink{
		series:     series{interval: interval, rows: make([]row, 0, 64)},
		failCauses: make([]int64, nFailCauses),
		discCauses: make([]int64, nCauses),
		rules:      make([]int64, len(wsframe.Rules())+1),
		nCauses:    nCauses,
		comp:       comp,
	}
	s.cur = &phase{name: firstPhase}
	s.phases = []*phase{s.cur}
	return s
}

// index maps an enum value to a slot of a per-cause array, unknown values to
// slot 0 (named "unknown").
func index(v, n int) int {
	if v < 0 || v >= n {
		return 0
	}
	return v
}

// storm returns the open record of storm k, creating it on first use, or
// nil when k is out of range.
func (s *sink) storm(k int) *stormRec {
	if k < 0 || k >= maxStorms {
		return nil
	}
	for len(s.storms) <= k {
		s.storms = append(s.storms, nil)
	}
	if s.storms[k] == nil {
		s.storms[k] = &stormRec{k: k, causes: make([]int64, s.nCauses)}
	}
	return s.storms[k]
}

// Attempt counts an attempt in its interval and records its lateness.
func (s *sink) Attempt(at, lateness time.Duration) {
	s.series.add(at, colAttempts, 1)
	record(&s.cur.h.dense[mLateness], mLateness, micros(lateness))
}

// Connected counts a handshake in the interval of its dial start and records
// its latency and phases.
func (s *sink) Connected(at time.Duration, c loadgen.ConnectTiming) {
	s.series.add(at, colConnects, 1)
	record(&s.cur.h.dense[mConnect], mConnect, micros(c.Total))
	record(&s.cur.h.dense[mConnectTCP], mConnectTCP, micros(c.TCP))
	if c.TLS > 0 {
		// wss only: a plain ws run keeps no histogram of zeros.
		record(&s.cur.h.dense[mConnectTLS], mConnectTLS, micros(c.TLS))
	}
	record(&s.cur.h.dense[mConnectUpgrade], mConnectUpgrade, micros(c.Upgrade))
}

// Failed counts a failed attempt and its cause.
func (s *sink) Failed(at time.Duration, cause loadgen.FailCause) {
	s.series.add(at, colFailures, 1)
	s.failCauses[index(int(cause), len(s.failCauses))]++
}

// Disconnected counts the end of a connection and its cause.
func (s *sink) Disconnected(at time.Duration, cause loadgen.Cause) {
	s.series.add(at, colDisconnects, 1)
	s.discCauses[index(int(cause), len(s.discCauses))]++
}

// Reconnected counts a recovery and records its latency and attempts.
func (s *sink) Reconnected(at, latency time.Duration, attempts int) {
	s.series.add(at, colReconnects, 1)
	record(&s.cur.h.dense[mReconnect], mReconnect, micros(latency))
	record(&s.cur.h.dense[mAttempts], mAttempts, count(attempts))
}

// GaveUp counts a client that exhausted its retries.
func (s *sink) GaveUp(at time.Duration) {
	s.series.add(at, colGaveUp, 1)
}

// RetryAfter counts a refusal that carried Retry-After, and whether the
// client waited for it.
func (s *sink) RetryAfter(at, _ time.Duration, honoured bool) {
	s.series.add(at, colRetryAfterSeen, 1)
	if honoured {
		s.series.add(at, colRetryAfterHonoured, 1)
	}
}

// Backoff records a backoff delay.
func (s *sink) Backoff(d time.Duration) {
	record(&s.cur.h.dense[mBackoff], mBackoff, micros(d))
}

// Lateness records the lateness of a timer.
func (s *sink) Lateness(d time.Duration) {
	record(&s.cur.h.dense[mLateness], mLateness, micros(d))
}

// Sent counts a frame written and its bytes, and heartbeat traffic apart.
func (s *sink) Sent(at time.Duration, kind loadgen.Traffic, bytes int) {
	r := s.series.row(s.series.bucket(at))
	n := int64(bytes)
	r.v[colBytesSent] += n
	switch kind {
	case loadgen.TrafficPing:
		r.v[colPingsSent]++
		fallthrough
	case loadgen.TrafficPong:
		r.v[colHeartbeatFramesSent]++
		r.v[colHeartbeatBytesSent] += n
	}
}

// Received counts a frame read and its bytes, broadcast messages and
// heartbeat traffic apart.
func (s *sink) Received(at time.Duration, kind loadgen.Traffic, bytes int) {
	r := s.series.row(s.series.bucket(at))
	n := int64(bytes)
	r.v[colBytesReceived] += n
	switch kind {
	case loadgen.TrafficPong:
		r.v[colPongsReceived]++
		fallthrough
	case loadgen.TrafficPing:
		r.v[colHeartbeatFramesReceived]++
		r.v[colHeartbeatBytesReceived] += n
	case loadgen.TrafficMessage:
		r.v[colMessagesReceived]++
	case loadgen.TrafficUnrecognised:
		r.v[colMessagesOther]++
	}
}

// HeartbeatRTT records a ping's round trip.
func (s *sink) HeartbeatRTT(d time.Duration) {
	record(&s.cur.h.dense[mRTT], mRTT, micros(d))
}

// MessagesLost counts a broadcast gap, and against its storm when known.
func (s *sink) MessagesLost(at time.Duration, storm, n int) {
	s.series.add(at, colMessagesLost, int64(n))
	if st := s.storm(storm); st != nil {
		st.lost += int64(n)
	}
}

// MessageDuplicated counts a repeated broadcast message, and against its
// storm when known.
func (s *sink) MessageDuplicated(at time.Duration, storm int) {
	s.series.add(at, colMessagesDuplicated, 1)
	if st := s.storm(storm); st != nil {
		st.duplicated++
	}
}

// AppProduced counts a message a client produced.
func (s *sink) AppProduced(at time.Duration) { s.series.add(at, colAppProduced, 1) }

// AppSent counts a message written to the wire.
func (s *sink) AppSent(at, _ time.Duration, flushed bool) {
	s.series.add(at, colAppSent, 1)
	if flushed {
		s.series.add(at, colAppFlushed, 1)
	}
}

// AppAcked counts an ack and records the delivery latency and its split.
func (s *sink) AppAcked(at time.Duration, storm int, delivery, queued time.Duration, dup bool) {
	if dup {
		s.series.add(at, colAppDuplicated, 1)
		if st := s.storm(storm); st != nil {
			st.app.SentDuplicated++
		}
		if delivery == 0 {
			return
		}
	}
	s.series.add(at, colAppAcked, 1)
	record(&s.cur.h.dense[mDelivery], mDelivery, micros(delivery))
	record(&s.cur.h.dense[mDeliveryQueue], mDeliveryQueue, micros(queued))
	record(&s.cur.h.dense[mDeliveryWire], mDeliveryWire, micros(delivery-queued))
}

// AppDropped counts a message a full send queue dropped.
func (s *sink) AppDropped(at time.Duration, storm int) {
	s.series.add(at, colAppDropped, 1)
	if st := s.storm(storm); st != nil {
		st.app.SentDropped++
	}
}

// AppLost counts messages that will never be acknowledged.
func (s *sink) AppLost(at time.Duration, storm, n int) {
	s.series.add(at, colAppLost, int64(n))
	if st := s.storm(storm); st != nil {
		st.app.SentLost += int64(n)
	}
}

// AppQueue sets the loop's clients' waiting messages of the interval.
func (s *sink) AppQueue(at time.Duration, waiting int) {
	s.series.row(s.series.bucket(at)).v[colAppQueued] = int64(waiting)
}

// DirectReceived counts a direct message and records its latency.
func (s *sink) DirectReceived(at, latency time.Duration) {
	s.series.add(at, colDirectReceived, 1)
	record(&s.cur.h.dense[mDirect], mDirect, micros(latency))
}

// DirectLost counts a gap of direct messages.
func (s *sink) DirectLost(at time.Duration, storm, n int) {
	s.series.add(at, colDirectLost, int64(n))
	if st := s.storm(storm); st != nil {
		st.app.DirectLost += int64(n)
	}
}

// DirectDuplicated counts a direct message received again.
func (s *sink) DirectDuplicated(at time.Duration, storm int) {
	s.series.add(at, colDirectDuplicated, 1)
	if st := s.storm(storm); st != nil {
		st.app.DirectDuplicated++
	}
}

// SeqRestart counts a connection whose sequence went backwards.
func (s *sink) SeqRestart(at time.Duration, _ int) { s.series.add(at, colSeqRestarts, 1) }

// PongUntimed counts a pong that recorded no round trip.
func (s *sink) PongUntimed(at time.Duration) { s.series.add(at, colPongsUntimed, 1) }

// Gauges sets the loop's client states of the interval that contains at (a
// loop reports the end of interval k at k·Interval − 1ns); the last report of
// an interval wins, and intervals without one carry the previous forward.
func (s *sink) Gauges(at time.Duration, open, connecting, waiting int) {
	r := s.series.row(s.series.bucket(at))
	r.v[colOpen] = int64(open)
	r.v[colConnecting] = int64(connecting)
	r.v[colWaiting] = int64(waiting)
	r.gauged = true
}

// StormAffected counts an affected client.
func (s *sink) StormAffected(storm int) {
	if st := s.storm(storm); st != nil {
		st.affected++
	}
}

// StormDetected counts a detection, its cause and latency, for the storm and
// in the detect_latency histogram.
func (s *sink) StormDetected(storm int, latency time.Duration, cause loadgen.Cause) {
	v := micros(latency)
	record(&s.cur.h.dense[mDetect], mDetect, v)
	if st := s.storm(storm); st != nil {
		st.detected++
		st.causes[index(int(cause), len(st.causes))]++
		record(&st.h.dense[mDetect], mDetect, v)
	}
}

// StormAttempt counts an attempt of an affected client.
func (s *sink) StormAttempt(storm int) {
	if st := s.storm(storm); st != nil {
		st.attempts++
	}
}

// StormRecovered counts a recovery of the storm and records its reconnect
// latency, outage and attempts; the outage also goes to the outage histogram.
func (s *sink) StormRecovered(storm int, reconnect, outage time.Duration, attempts int) {
	o := micros(outage)
	record(&s.cur.h.dense[mOutage], mOutage, o)
	if st := s.storm(storm); st != nil {
		st.recovered++
		record(&st.h.dense[mReconnect], mReconnect, micros(reconnect))
		record(&st.h.dense[mOutage], mOutage, o)
		record(&st.h.dense[mAttempts], mAttempts, count(attempts))
	}
}

// Cut closes the current histogram interval and every open storm record,
// hands them to the compactor, and opens one named phase.
func (s *sink) Cut(at time.Duration, name string) {
	s.comp.submit(&s.cur.h)
	for k, st := range s.storms {
		if st != nil {
			s.closed = append(s.closed, st)
			s.comp.submit(&st.h)
			s.storms[k] = nil
		}
	}
	s.cur = &phase{name: name, start: at}
	s.phases = append(s.phases, s.cur)
}

// ProtocolError counts the RFC 6455 rule a server broke.
func (s *sink) ProtocolError(_ time.Duration, rule wsframe.Rule) {
	s.rules[index(int(rule), len(s.rules))]++
}

// ProcessCPU adds the CPU time of the whole process to its interval, in
// microseconds.
func (s *sink) ProcessCPU(at, cpu time.Duration) {
	s.series.row(s.series.bucket(at)).v[colProcCPU] += max(int64(cpu/time.Microsecond), 0)
}

// LoopBusy adds the loop's busy time and its thread's CPU time to its
// interval, in microseconds, and keeps the interval's longest stretch of
// work.
func (s *sink) LoopBusy(at, busy, longest, cpu time.Duration) {
	r := s.series.row(s.series.bucket(at))
	r.v[colLoopBusy] += max(int64(busy/time.Microsecond), 0)
	r.v[colLoopCPU] += max(int64(cpu/time.Microsecond), 0)
	r.v[colLoopStall] = max(r.v[colLoopStall], int64(longest/time.Microsecond))
}
