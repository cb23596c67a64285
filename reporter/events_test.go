package reporter

import (
	"time"

	"github.com/stormbench/stormbench/internal/measure"
	"github.com/stormbench/stormbench/internal/wsframe"
	"github.com/stormbench/stormbench/loadgen"
)

// events plays what happens to a loop's clients into its sink the way the
// load generator records it (loadgen's record.go), one method per kind of
// event, so that the test scenarios read as what happened. A storm index
// below zero means no storm's window was open.
type events struct{ loadgen.Sink }

func (s events) count(at time.Duration, c measure.Column, n int64, storm int) {
	s.Record(at, c, n)
	if storm >= 0 && c.PerStorm() {
		s.Storm(storm, loadgen.StormEvent{Kind: loadgen.StormCounted, Column: c, N: n})
	}
}

func (s events) Attempt(at, late time.Duration) {
	s.Record(at, measure.Attempts, 1)
	s.Lateness(late)
}

// Connected is an upgrade; without a framework's join the client is ready
// at once, as the load generator records it.
func (s events) Connected(at time.Duration, t loadgen.ConnectTiming) {
	s.Record(at, measure.Connects, 1)
	s.Record(at, measure.Joins, 1)
	s.Observe(measure.ConnectReady, int64(t.Total))
	s.Observe(measure.ConnectLatency, int64(t.Total))
	if t.Resolved {
		s.Observe(measure.ConnectDNS, int64(t.DNS))
	}
	s.Observe(measure.ConnectTCP, int64(t.TCP))
	if t.TLS > 0 {
		s.Observe(measure.ConnectTLS, int64(t.TLS))
	}
	s.Observe(measure.ConnectUpgrade, int64(t.Upgrade))
}

func (s events) Failed(at time.Duration, c measure.FailCause) {
	s.RecordKey(at, measure.FailureCauses, int(c))
}

func (s events) Disconnected(at time.Duration, c measure.Cause) {
	s.RecordKey(at, measure.DisconnectCauses, int(c))
}

func (s events) Reconnected(at, latency time.Duration, attempts int) {
	s.Record(at, measure.Reconnects, 1)
	s.Observe(measure.ReconnectLatency, int64(latency))
	s.Observe(measure.AttemptsPerRecovery, int64(attempts))
}

func (s events) GaveUp(at time.Duration)      { s.Record(at, measure.GaveUp, 1) }
func (s events) Backoff(d time.Duration)      { s.Observe(measure.BackoffDelay, int64(d)) }
func (s events) Lateness(d time.Duration)     { s.Observe(measure.TimerLateness, int64(d)) }
func (s events) HeartbeatRTT(d time.Duration) { s.Observe(measure.HeartbeatRTT, int64(d)) }

func (s events) RetryAfter(at, _ time.Duration, honoured bool) {
	s.Record(at, measure.RetryAfterSeen, 1)
	if honoured {
		s.Record(at, measure.RetryAfterHonoured, 1)
	}
}

func (s events) Sent(at time.Duration, kind loadgen.Traffic, bytes int) {
	n := int64(bytes)
	s.Record(at, measure.BytesSent, n)
	if kind == loadgen.TrafficPing {
		s.Record(at, measure.PingsSent, 1)
	}
	if kind == loadgen.TrafficPing || kind == loadgen.TrafficPong {
		s.Record(at, measure.HeartbeatFramesSent, 1)
		s.Record(at, measure.HeartbeatBytesSent, n)
	}
}

func (s events) Received(at time.Duration, kind loadgen.Traffic, bytes int) {
	n := int64(bytes)
	s.Record(at, measure.BytesReceived, n)
	switch kind {
	case loadgen.TrafficPong:
		s.Record(at, measure.PongsReceived, 1)
	case loadgen.TrafficMessage:
		s.Record(at, measure.MessagesReceived, 1)
	case loadgen.TrafficUnrecognised:
		s.Record(at, measure.MessagesOther, 1)
	}
	if kind == loadgen.TrafficPing || kind == loadgen.TrafficPong {
		s.Record(at, measure.HeartbeatFramesReceived, 1)
		s.Record(at, measure.HeartbeatBytesReceived, n)
	}
}

func (s events) MessagesLost(at time.Duration, storm, n int) {
	s.count(at, measure.MessagesLost, int64(n), storm)
}

func (s events) MessageDuplicated(at time.Duration, storm int) {
	s.count(at, measure.MessagesDuplicated, 1, storm)
}

func (s events) SeqRestart(at time.Duration, _ int) { s.Record(at, measure.SeqRestarts, 1) }
func (s events) PongUntimed(at time.Duration)       { s.Record(at, measure.PongsUntimed, 1) }
func (s events) AppProduced(at time.Duration)       { s.Record(at, measure.AppProduced, 1) }

func (s events) AppSent(at, _ time.Duration, flushed bool) {
	s.Record(at, measure.AppSent, 1)
	if flushed {
		s.Record(at, measure.AppFlushed, 1)
	}
}

func (s events) AppAcked(at time.Duration, storm int, delivery, queued time.Duration, dup bool) {
	if dup {
		s.count(at, measure.AppDuplicated, 1, storm)
		if delivery == 0 {
			return
		}
	}
	s.Record(at, measure.AppAcked, 1)
	s.Observe(measure.DeliveryLatency, int64(delivery))
	s.Observe(measure.DeliveryQueue, int64(queued))
	s.Observe(measure.DeliveryWire, int64(delivery-queued))
}

func (s events) AppDropped(at time.Duration, storm int) { s.count(at, measure.AppDropped, 1, storm) }
func (s events) AppLost(at time.Duration, storm, n int) {
	s.count(at, measure.AppLost, int64(n), storm)
}
func (s events) AppQueue(at time.Duration, waiting int) {
	s.Record(at, measure.AppQueued, int64(waiting))
}

func (s events) DirectReceived(at, latency time.Duration) {
	s.Record(at, measure.DirectReceived, 1)
	s.Observe(measure.DirectLatency, int64(latency))
}

func (s events) DirectLost(at time.Duration, storm, n int) {
	s.count(at, measure.DirectLost, int64(n), storm)
}

func (s events) DirectDuplicated(at time.Duration, storm int) {
	s.count(at, measure.DirectDuplicated, 1, storm)
}

func (s events) Gauges(at time.Duration, open, connecting, waiting int) {
	s.Record(at, measure.Open, int64(open))
	s.Record(at, measure.Connecting, int64(connecting))
	s.Record(at, measure.Waiting, int64(waiting))
	s.Record(at, measure.Ready, int64(open))
}

func (s events) StormAffected(k int) { s.Storm(k, loadgen.StormEvent{Kind: loadgen.StormAffected}) }
func (s events) StormAttempt(k int)  { s.Storm(k, loadgen.StormEvent{Kind: loadgen.StormAttempt}) }

func (s events) StormDetected(k int, latency time.Duration, cause measure.Cause) {
	s.Storm(k, loadgen.StormEvent{Kind: loadgen.StormDetected, Detect: latency, Cause: cause})
}

func (s events) StormRecovered(k int, reconnect, outage time.Duration, attempts int) {
	s.Storm(k, loadgen.StormEvent{Kind: loadgen.StormRecovered, Reconnect: reconnect, Outage: outage, Attempts: attempts})
	s.Storm(k, loadgen.StormEvent{Kind: loadgen.StormReady, Outage: outage})
}

func (s events) ProtocolError(at time.Duration, rule wsframe.Rule) {
	s.RecordKey(at, measure.ProtocolErrors, int(rule))
}

func (s events) LoopBusy(at, busy, longest, cpu time.Duration) {
	s.Record(at, measure.LoopBusy, max(int64(busy/time.Microsecond), 0))
	s.Record(at, measure.LoopCPU, max(int64(cpu/time.Microsecond), 0))
	s.Record(at, measure.LoopStall, int64(longest/time.Microsecond))
}

func (s events) ProcessCPU(at, cpu time.Duration) {
	s.Record(at, measure.ProcCPU, max(int64(cpu/time.Microsecond), 0))
}
