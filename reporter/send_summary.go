package reporter

import (
	"time"

	"github.com/stormbench/stormbench/internal/measure"

	"github.com/stormbench/stormbench/loadgen"
)

// SendSummary is what happened to the messages the clients sent the
// server (run --send-rate; docs/messages.md). Every
// produced message ends acked, dropped (a full send queue), lost (sent on
// a connection that died, never redelivered, or skipped by the acks) or
// still pending when the run ended.
type SendSummary struct {
	Produced int64 `json:"produced"`
	// Sent counts writes to the wire: redeliveries count again.
	Sent int64 `json:"sent"`
	// Flushed counts those written from a backlog: produced before the
	// connection they left on opened.
	Flushed    int64 `json:"flushed"`
	Acked      int64 `json:"acked"`
	Duplicated int64 `json:"duplicated"`
	Dropped    int64 `json:"dropped"`
	Lost       int64 `json:"lost"`
	// Pending = produced − acked − dropped − lost: still queued or
	// unacknowledged at the end (sent and not acknowledged with --ack none).
	Pending int64 `json:"pending"`
	// PeakQueued is the most messages the fleet held waiting at the end
	// of an interval.
	PeakQueued int64 `json:"peak_queued"`
	// PeakQueueBytes is the memory those messages held at the peak in the
	// clients: loadgen.QueueEntryBytes each (the payload is built when sent).
	PeakQueueBytes int64 `json:"peak_queue_bytes"`
	// PeakSentPerS is the highest rate of messages written in an interval.
	PeakSentPerS float64 `json:"peak_sent_per_s"`
	// DeliveryMs is produced → acked (the outage included); QueueMs the
	// part spent waiting to be sent; WireMs sent → acked.
	DeliveryMs Quantiles `json:"delivery_ms"`
	QueueMs    Quantiles `json:"queue_ms"`
	WireMs     Quantiles `json:"wire_ms"`
}

// sendSummary computes the figures, nil when no client sent anything.
func sendSummary(s *Shard) *SendSummary {
	p := s.total(measure.AppProduced)
	if p == 0 {
		return nil
	}
	out := &SendSummary{
		Produced: p, Sent: s.total(measure.AppSent), Flushed: s.total(measure.AppFlushed), Acked: s.total(measure.AppAcked),
		Duplicated: s.total(measure.AppDuplicated), Dropped: s.total(measure.AppDropped), Lost: s.total(measure.AppLost),
		DeliveryMs: quantiles(s.cumulative(measure.DeliveryLatency), measure.DeliveryLatency),
		QueueMs:    quantiles(s.cumulative(measure.DeliveryQueue), measure.DeliveryQueue),
		WireMs:     quantiles(s.cumulative(measure.DeliveryWire), measure.DeliveryWire),
	}
	out.Pending = max(0, out.Produced-out.Acked-out.Dropped-out.Lost)
	for _, v := range s.column(measure.AppQueued) {
		out.PeakQueued = max(out.PeakQueued, v)
	}
	out.PeakQueueBytes = out.PeakQueued * int64(loadgen.QueueEntryBytes)
	out.PeakSentPerS = peakRate(s, measure.AppSent, 0, s.End)
	return out
}

// peakRate returns the highest count of column c in the series intervals
// that overlap [t0, end], as a rate per second.
func peakRate(s *Shard, c measure.Column, t0, end time.Duration) float64 {
	vs := s.column(c)
	if len(vs) == 0 || s.Interval <= 0 {
		return 0
	}
	first, last := intervalRange(s, t0, end)
	last = max(last, first) // a window shorter than a row still has its row
	var peak int64
	for i := first; i <= last && i < len(vs); i++ {
		peak = max(peak, vs[i])
	}
	return float64(peak) * float64(time.Second) / float64(s.Interval)
}

// printSend writes the clients' messages block.
func printSend(p func(string, ...any), s *SendSummary) {
	if s == nil {
		return
	}
	p("sent messages")
	p("  produced\t%d\tacked %d, dropped %d, lost %d, pending %d", s.Produced, s.Acked, s.Dropped, s.Lost, s.Pending)
	p("  written\t%d\tflushed %d after reconnects, duplicated %d, peak %.0f/s, peak queued %d (%s in the clients)", s.Sent, s.Flushed, s.Duplicated, s.PeakSentPerS, s.PeakQueued, size(s.PeakQueueBytes))
	if s.Acked > 0 {
		p("  delivery\tp50 %s\tp99 %s, max %s (queue p99 %s, wire p99 %s)", ms(s.DeliveryMs.P50), ms(s.DeliveryMs.P99), ms(s.DeliveryMs.Max), ms(s.QueueMs.P99), ms(s.WireMs.P99))
	}
}

// DirectSummary is what the clients received of the server's direct
// messages (its per-client offline queue: run --server-direct-rate).
type DirectSummary struct {
	Received   int64     `json:"received"`
	Lost       int64     `json:"lost"`
	Duplicated int64     `json:"duplicated"`
	LatencyMs  Quantiles `json:"latency_ms"`
}

// directSummary computes the figures, nil when none arrived.
func directSummary(s *Shard) *DirectSummary {
	r := s.total(measure.DirectReceived)
	if r == 0 {
		return nil
	}
	return &DirectSummary{Received: r, Lost: s.total(measure.DirectLost), Duplicated: s.total(measure.DirectDuplicated),
		LatencyMs: quantiles(s.cumulative(measure.DirectLatency), measure.DirectLatency)}
}

// printDirect writes the direct messages block.
func printDirect(p func(string, ...any), d *DirectSummary) {
	if d == nil {
		return
	}
	p("direct messages")
	p("  received\t%d\tlost %d, duplicated %d", d.Received, d.Lost, d.Duplicated)
	p("  latency\tp50 %s\tp99 %s, max %s (produced by the server → received)", ms(d.LatencyMs.P50), ms(d.LatencyMs.P99), ms(d.LatencyMs.Max))
}
