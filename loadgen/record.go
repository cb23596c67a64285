package loadgen

import (
	"net/netip"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/measure"
	"github.com/stormbench/stormbench/internal/wsframe"
)

// The shard records through these helpers, never through its sink
// directly: each keeps the loop's own running totals (the coordinator's
// status and the live view read them) and the sink's record in step, so a
// count is kept once on each side.

// count adds n to count column c at at, and to the open storm when the
// column is counted per storm.
func (sh *shard) count(at time.Duration, c measure.Column, n int64) {
	sh.totals[c] += n
	sh.sink.Record(at, c, n)
	if sh.storm.active && c.PerStorm() {
		sh.sink.Storm(sh.storm.k, StormEvent{Kind: StormCounted, Column: c, N: n})
	}
}

// set records the loop's value of gauge or peak column c for the interval
// that holds at.
func (sh *shard) set(at time.Duration, c measure.Column, v int64) {
	sh.sink.Record(at, c, v)
}

// countKey counts one event of family f with key k (and its total column).
func (sh *shard) countKey(at time.Duration, f measure.Family, k int) {
	if t := f.Def().Total; t < measure.NumColumns {
		sh.totals[t]++
	}
	if sh.live != nil {
		sh.live.key(f, k)
	}
	sh.sink.RecordKey(at, f, k)
}

// countText counts one event of family f keyed by text (what a server
// said).
func (sh *shard) countText(at time.Duration, f measure.Family, text []byte) {
	if t := f.Def().Total; t < measure.NumColumns {
		sh.totals[t]++
		if sh.storm.active && t.PerStorm() {
			sh.sink.Storm(sh.storm.k, StormEvent{Kind: StormCounted, Column: t, N: 1})
		}
	}
	if sh.live != nil {
		sh.live.text(f, text)
	}
	sh.sink.RecordText(at, f, text)
}

// observe records a duration into metric m.
func (sh *shard) observe(m measure.Metric, d time.Duration) {
	if sh.live != nil {
		sh.live.observe(m, d)
	}
	sh.sink.Observe(m, int64(d))
}

// observeCount records a count into metric m (attempts per recovery).
func (sh *shard) observeCount(m measure.Metric, n int) {
	sh.sink.Observe(m, int64(n))
}

// stormEvent records what happened to an affected client of storm k.
func (sh *shard) stormEvent(k int, e StormEvent) {
	if sh.live != nil {
		switch e.Kind {
		case StormDetected:
			sh.live.observe(measure.DetectLatency, e.Detect)
		case StormRecovered:
			sh.live.observe(measure.Outage, e.Outage)
		case StormReady:
			sh.live.observe(measure.OutageReady, e.Outage)
		}
	}
	sh.sink.Storm(k, e)
}

// late records how late a scheduled timer (an attempt, ping, deadline)
// fired.
func (sh *shard) late(d time.Duration) { sh.observe(measure.TimerLateness, d) }

// sent counts one frame written to the wire, header included.
func (sh *shard) sent(at time.Duration, kind Traffic, bytes int) {
	n := int64(bytes)
	sh.count(at, measure.BytesSent, n)
	t := &trafficColumns[kind]
	for _, c := range t.sent {
		sh.count(at, c, 1)
	}
	if t.heartbeat {
		sh.count(at, measure.HeartbeatFramesSent, 1)
		sh.count(at, measure.HeartbeatBytesSent, n)
	}
}

// received counts one frame read from the wire, header included.
func (sh *shard) received(at time.Duration, kind Traffic, bytes int) {
	n := int64(bytes)
	sh.count(at, measure.BytesReceived, n)
	t := &trafficColumns[kind]
	for _, c := range t.received {
		sh.count(at, c, 1)
	}
	if t.heartbeat {
		sh.count(at, measure.HeartbeatFramesReceived, 1)
		sh.count(at, measure.HeartbeatBytesReceived, n)
	}
}

// attempted records an attempt's start, late by late after its schedule.
func (sh *shard) attempted(at, late time.Duration) {
	sh.count(at, measure.Attempts, 1)
	sh.late(late)
}

// connected records a completed handshake in the interval of its dial
// start, so that an attempt and its outcome land in the same interval.
func (sh *shard) connected(start time.Duration, t ConnectTiming) {
	sh.count(start, measure.Connects, 1)
	sh.observe(measure.ConnectLatency, t.Total)
	if t.Resolved {
		sh.observe(measure.ConnectDNS, t.DNS)
	}
	sh.observe(measure.ConnectTCP, t.TCP)
	if t.TLS > 0 {
		// wss only: a plain ws run keeps no histogram of zeros.
		sh.observe(measure.ConnectTLS, t.TLS)
	}
	sh.observe(measure.ConnectUpgrade, t.Upgrade)
}

// connectedTo counts a successful attempt by the server address it
// connected to, at its dial start.
func (sh *shard) connectedTo(start time.Duration, a netip.AddrPort) {
	sh.text = a.AppendTo(sh.text[:0])
	sh.countText(start, measure.ConnectAddresses, sh.text)
}

// failedAttempt records a failed attempt by cause, at its dial start.
func (sh *shard) failedAttempt(start time.Duration, cause measure.FailCause) {
	sh.countKey(start, measure.FailureCauses, int(cause))
}

// disconnected records the end of an open connection and why.
func (sh *shard) disconnected(at time.Duration, cause measure.Cause) {
	sh.countKey(at, measure.DisconnectCauses, int(cause))
}

// protocolError records the RFC 6455 rule a server broke; the
// connection's end is recorded separately (CauseProtocolError).
func (sh *shard) protocolError(at time.Duration, rule wsframe.Rule) {
	sh.countKey(at, measure.ProtocolErrors, int(rule))
}

// reconnected records a client's first handshake after it lost a
// connection: latency from detection, and the attempts it took.
func (sh *shard) reconnected(at, latency time.Duration, attempts int) {
	sh.count(at, measure.Reconnects, 1)
	sh.observe(measure.ReconnectLatency, latency)
	sh.observeCount(measure.AttemptsPerRecovery, attempts)
}

// recordGauges records the client states at the end of the interval that
// holds at.
func (sh *shard) recordGauges(at time.Duration) {
	sh.set(at, measure.Open, int64(sh.open))
	sh.set(at, measure.Connecting, int64(sh.connecting))
	sh.set(at, measure.Waiting, int64(sh.waiting))
	sh.set(at, measure.Ready, int64(sh.ready))
	if sh.cfg.Send.Rate > 0 {
		sh.set(at, measure.AppQueued, int64(sh.queued))
	}
}

// recordBusy records the loop's busy time, its longest stretch of work and
// its thread's CPU time in the interval that holds at.
func (sh *shard) recordBusy(at, busy, longest, cpu time.Duration) {
	sh.count(at, measure.LoopBusy, micros(busy))
	sh.count(at, measure.LoopCPU, micros(cpu))
	sh.set(at, measure.LoopStall, int64(longest/time.Microsecond))
}

// micros converts a duration to whole microseconds, negative as zero.
func micros(d time.Duration) int64 { return max(int64(d/time.Microsecond), 0) }

// retryAfter counts a refused upgrade that carried Retry-After, and
// whether the client waited for it where its policy would have retried
// sooner.
func (sh *shard) retryAfter(at time.Duration, honoured bool) {
	sh.count(at, measure.RetryAfterSeen, 1)
	if honoured {
		sh.count(at, measure.RetryAfterHonoured, 1)
	}
}

// appSent counts one of the clients' messages written to the wire (a
// redelivery too); flushed: it was produced before the connection it
// leaves on opened (a backlog flushed after a reconnect).
func (sh *shard) appSent(at time.Duration, flushed bool) {
	sh.count(at, measure.AppSent, 1)
	if flushed {
		sh.count(at, measure.AppFlushed, 1)
	}
}

// appAcked records an ack: delivery is produced → acked (the outage
// included), queued the part of it spent waiting to be sent. dup: the
// server had received the message before, or the ack settled nothing;
// then, when delivery is zero, no latency is recorded.
func (sh *shard) appAcked(at, delivery, queued time.Duration, dup bool) {
	if dup {
		sh.count(at, measure.AppDuplicated, 1)
		if delivery == 0 {
			return
		}
	}
	sh.count(at, measure.AppAcked, 1)
	sh.observe(measure.DeliveryLatency, delivery)
	sh.observe(measure.DeliveryQueue, queued)
	sh.observe(measure.DeliveryWire, delivery-queued)
}

// directReceived counts one of the server's direct messages received in
// order, latency after the server produced it.
func (sh *shard) directReceived(at, latency time.Duration) {
	sh.count(at, measure.DirectReceived, 1)
	sh.observe(measure.DirectLatency, latency)
}

// unrecognised counts a message no rule recognised, with a sample of it:
// what the server speaks when the protocol does not match it.
func (sh *shard) unrecognised(at time.Duration, op ws.OpCode, msg []byte, wire int) {
	sh.received(at, TrafficUnrecognised, wire)
	sh.countText(at, measure.Unrecognised, sh.sample(op, msg))
}

// sampleLen is how many bytes of an unrecognised message its sample keeps.
const sampleLen = 40

// sample writes the first bytes of a message as a key: text with control
// bytes as \xNN, a binary message as hex after "binary ".
func (sh *shard) sample(op ws.OpCode, msg []byte) []byte {
	const hex = "0123456789abcdef"
	b := sh.text[:0]
	msg = msg[:min(len(msg), sampleLen)]
	if op == ws.OpBinary {
		b = append(b, "binary "...)
		for _, x := range msg[:min(len(msg), sampleLen/2)] {
			b = append(b, hex[x>>4], hex[x&15])
		}
	} else {
		for _, x := range msg {
			if x < 0x20 || x == 0x7f || x == '\\' {
				b = append(b, '\\', 'x', hex[x>>4], hex[x&15])
				continue
			}
			b = append(b, x)
		}
	}
	sh.text = b
	return b
}
