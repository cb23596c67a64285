package reporter

import (
	"fmt"
	"time"

	"github.com/stormbench/stormbench/internal/measure"

	"github.com/stormbench/stormbench/loadgen"
)

// StormSummary is the figures of one storm (docs/metrics.md defines
// them).
type StormSummary struct {
	// Index is the storm's 0-based index.
	Index int `json:"index"`
	// Fault is the fault kind.
	Fault string `json:"fault"`
	// T0 is when the fault was applied, in seconds since the start.
	T0 float64 `json:"t0"`
	// End is when the recovery window closed, in seconds since the start
	// (the end of the run when the coordinator did not say).
	End float64 `json:"end"`
	// Affected is the number of clients the fault hit: the server's count
	// when it gave one, otherwise the clients' own.
	Affected int64 `json:"affected"`
	// AffectedCounted is the clients' own count of affected clients.
	AffectedCounted int64 `json:"affected_counted"`
	// Detected counts affected clients that declared their connection dead.
	Detected int64 `json:"detected"`
	// Recovered counts affected clients that connected again.
	Recovered int64 `json:"recovered"`
	// Attempts counts the affected clients' attempts from detection to
	// recovery.
	Attempts int64 `json:"attempts"`
	// FailedAttempts is Attempts − Recovered.
	FailedAttempts int64 `json:"failed_attempts"`
	// PeakAttemptsPerS is the highest fleet-wide attempt count of an
	// interval overlapping [t0, end], per second.
	PeakAttemptsPerS float64 `json:"peak_attempts_per_s"`
	// PeakSentPerS is the flush burst: the highest rate at which the
	// clients wrote their own messages in an interval overlapping [t0,
	// end] (with --send-rate; 0 otherwise).
	PeakSentPerS float64 `json:"peak_sent_per_s,omitempty"`
	// Sent and direct messages of the storm: lost, dropped, duplicated
	// (also in Counts, which summaries of format 2 lacked).
	Messages StormMessages `json:"app_messages"`
	// Counts holds every per-storm column's events within the window, by
	// column name (measure.ColumnDef.Storm), zeros included.
	Counts map[string]int64 `json:"counts"`
	// ServerTakeovers is the duplicate sessions stormbench's server saw in
	// the storm window (clients back while their old connection was still
	// open there); nil when the server is not stormbench's.
	ServerTakeovers *int64 `json:"server_takeovers,omitempty"`
	// ServerPeakReceivedPerS is the flush burst as the server saw it: its
	// highest rate of the clients' messages received in the storm window.
	ServerPeakReceivedPerS float64 `json:"server_peak_received_per_s,omitempty"`
	// DetectMs is T0 → detection.
	DetectMs Quantiles `json:"detect_ms"`
	// DetectCauses counts detections by cause.
	DetectCauses map[string]int64 `json:"detect_causes"`
	// OutageMs is T0 → the next successful handshake, per client.
	OutageMs Quantiles `json:"outage_ms"`
	// ReconnectMs is detection → the next successful handshake, per client.
	ReconnectMs Quantiles `json:"reconnect_ms"`
	// RecoveryMs is the fleet recovery time: T0 → the moment XX % of the
	// affected clients are open again (a percentile is null when fewer
	// recovered); null altogether when the storm is incomplete.
	RecoveryMs *Recovery `json:"recovery_ms"`
	// Ready counts affected clients ready again: joined what --join names
	// with a framework's protocol (else open again, as Recovered).
	Ready int64 `json:"ready"`
	// OutageReadyMs is T0 → ready again, per client.
	OutageReadyMs Quantiles `json:"outage_ready_ms"`
	// RecoveryReadyMs is the fleet recovery time to ready: T0 → XX % of
	// the affected clients ready again (≥ RecoveryMs: a client is open
	// before it is ready); null as RecoveryMs is.
	RecoveryReadyMs *Recovery `json:"recovery_ready_ms"`
	// AttemptsPerRecovery is the attempts an affected client needed.
	AttemptsPerRecovery Quantiles `json:"attempts_per_recovery"`
	// MessagesLost sums the broadcast gaps attributed to the storm (also
	// in Counts).
	MessagesLost int64 `json:"messages_lost"`
	// MessagesDuplicated counts repeated broadcast messages of the storm.
	MessagesDuplicated int64 `json:"messages_duplicated"`
	// Survived counts affected clients whose connection outlived the fault
	// undetected (reported by the coordinator).
	Survived int64 `json:"survived"`
	// ScheduledS is when --fault-at asked for the fault, in seconds since
	// the start; null when the fault followed a hold.
	ScheduledS *float64 `json:"scheduled_s,omitempty"`
	// Observed marks a storm an observe run found by itself (T0 is the
	// first loss of the mass disconnect).
	Observed bool `json:"observed,omitempty"`
	// Exec is what the command of an exec fault left (exit status, log).
	Exec *loadgen.ExecResult `json:"exec,omitempty"`
	// TimedOut reports that the recover timeout closed the window before
	// every affected client was back.
	TimedOut bool `json:"timed_out"`
	// Incomplete reports that load-generator results are missing (or
	// that these are one machine's shard of the run while Affected is the
	// server's count of all), so the counts cover only some of the
	// affected clients: Recovered against Affected would blame the server
	// for what the harness lost, so RecoveryMs is null and no recovered
	// share is given.
	Incomplete bool `json:"incomplete"`
	// IncompleteReason says what is missing, e.g. "1 of 2 load-generator
	// shards lost", or that these are one shard's results of a run over
	// several machines compared with the server's count of all.
	IncompleteReason string `json:"incomplete_reason,omitempty"`
}

// Recovery is the fleet recovery time in milliseconds at 50, 90, 99 and 100 %
// of the affected clients; a nil field (JSON null) means that too few
// clients recovered.
type Recovery struct {
	P50  *float64 `json:"p50"`
	P90  *float64 `json:"p90"`
	P99  *float64 `json:"p99"`
	P100 *float64 `json:"p100"`
}

// summarizeStorm computes the figures of storm k of s; g says what of the
// fleet the shard does not see.
func summarizeStorm(s *Shard, k int, g gap) StormSummary {
	st := &s.Storms[k]
	var info stormFacts
	if st.Info != nil {
		info = stormFacts{Fault: string(st.Info.Fault), T0: st.Info.T0, End: st.Info.End, TimedOut: st.Info.TimedOut, Survived: st.Info.Survived}
	}
	end := info.End
	if end <= info.T0 {
		end = max(s.End, info.T0)
	}
	outage := st.hist(measure.Outage)
	outageReady := st.hist(measure.OutageReady)
	affected := st.affected()
	out := StormSummary{
		Index:               k,
		Fault:               info.Fault,
		T0:                  info.T0.Seconds(),
		End:                 end.Seconds(),
		Affected:            affected,
		AffectedCounted:     st.AffectedCounted,
		Detected:            st.Detected,
		Recovered:           st.Recovered,
		Attempts:            st.Attempts,
		FailedAttempts:      st.Attempts - st.Recovered,
		PeakAttemptsPerS:    peakAttemptsPerS(s, info.T0, end),
		PeakSentPerS:        peakRate(s, measure.AppSent, info.T0, end),
		Messages:            stormMessages(&st.Counts),
		Counts:              perStormCounts(&st.Counts),
		DetectMs:            quantiles(st.hist(measure.DetectLatency), measure.DetectLatency),
		DetectCauses:        map[string]int64{},
		OutageMs:            quantiles(outage, measure.Outage),
		Ready:               st.Ready,
		OutageReadyMs:       quantiles(outageReady, measure.OutageReady),
		ReconnectMs:         quantiles(st.hist(measure.ReconnectLatency), measure.ReconnectLatency),
		AttemptsPerRecovery: quantiles(st.hist(measure.AttemptsPerRecovery), measure.AttemptsPerRecovery),
		MessagesLost:        st.Counts[measure.MessagesLost],
		MessagesDuplicated:  st.Counts[measure.MessagesDuplicated],
		TimedOut:            info.TimedOut,
		Survived:            int64(info.Survived),
	}
	addCounts(out.DetectCauses, st.DetectCauses)
	if st.Info != nil {
		if st.Info.Scheduled > 0 {
			v := st.Info.Scheduled.Seconds()
			out.ScheduledS = &v
		}
		out.Observed, out.Exec = st.Info.Observed, st.Info.Exec
	}
	switch {
	case g.lost():
		out.Incomplete, out.IncompleteReason = true, g.describe()
		return out
	case g.narrow() && st.Info != nil && (st.Info.Affected >= 0 || !st.Info.Fault.CountedByClients()):
		// A shard of a run over several machines: the server's count
		// covers the other shards' clients too, and a shard that did not
		// apply the fault does not even have it.
		out.Incomplete, out.IncompleteReason = true, g.describeScope()
		return out
	}
	out.RecoveryMs = recovery(outage, affected)
	out.RecoveryReadyMs = recovery(outageReady, affected)
	if st.Info != nil && st.Info.Aborted {
		// The run ended inside the window: the clients not back yet might
		// have come back. The percentiles reached are facts; the others
		// are not failures of the server.
		out.Incomplete = true
		out.IncompleteReason = fmt.Sprintf("the run ended %.1fs after T0, inside the storm's window", (end - info.T0).Seconds())
	}
	return out
}

// stormFacts is the part of loadgen.StormInfo a summary uses; the zero
// value stands for a storm whose coordinator facts are unknown.
type stormFacts struct {
	Fault    string
	T0, End  time.Duration
	TimedOut bool
	Survived int
}

// recovery returns the fleet recovery times of a storm's outages.
func recovery(outage *Hist, affected int64) *Recovery {
	return &Recovery{
		P50:  recoveryAt(outage, affected, 500),
		P90:  recoveryAt(outage, affected, 900),
		P99:  recoveryAt(outage, affected, 990),
		P100: recoveryAt(outage, affected, 1000),
	}
}

// recoveryAt returns the fleet recovery time at permille ‰ of affected
// clients: the smallest outage v such that the recovered clients with an
// outage ≤ v number at least ⌈permille/1000 · affected⌉, in milliseconds; nil
// when fewer recovered (or nobody was affected).
func recoveryAt(outage *Hist, affected int64, permille int64) *float64 {
	need := (permille*affected + 999) / 1000
	if need <= 0 || outage.count() < need {
		return nil
	}
	var seen int64
	for _, b := range outage.Distribution() {
		seen += b.Count
		if seen >= need {
			v := float64(b.To) / scale(measure.Outage)
			return &v
		}
	}
	return nil
}

// peakAttemptsPerS returns the highest attempts count of the series
// intervals that overlap [t0, end], as a rate per second.
func peakAttemptsPerS(s *Shard, t0, end time.Duration) float64 {
	return peakRate(s, measure.Attempts, t0, end)
}

// stormMessages returns a storm's counts of the clients' and the server's
// direct messages.
func stormMessages(c *measure.ByColumn[int64]) StormMessages {
	return StormMessages{
		SentLost: c[measure.AppLost], SentDropped: c[measure.AppDropped], SentDuplicated: c[measure.AppDuplicated],
		DirectLost: c[measure.DirectLost], DirectDuplicated: c[measure.DirectDuplicated],
	}
}

// perStormCounts returns every per-storm column's count by name.
func perStormCounts(c *measure.ByColumn[int64]) map[string]int64 {
	out := map[string]int64{}
	for _, col := range measure.Columns() {
		if col.PerStorm() {
			out[col.String()] = c[col]
		}
	}
	return out
}

// ReadyDiffers reports whether the storm's clients became ready at a
// different time than they opened (a framework's join after the
// upgrade), so that the ready figures say something the open ones do not.
// With stormbench's protocol a client is ready when it opens, and the
// figures are the same.
func (st *StormSummary) ReadyDiffers() bool {
	if st.RecoveryReadyMs == nil || st.RecoveryMs == nil {
		// Not computed (an incomplete storm, a summary written before
		// ready was measured): nothing to show beside open.
		return false
	}
	eq := func(a, b *float64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }
	r, o := st.RecoveryReadyMs, st.RecoveryMs
	return st.Ready != st.Recovered || !eq(r.P50, o.P50) || !eq(r.P90, o.P90) || !eq(r.P99, o.P99) || !eq(r.P100, o.P100)
}
