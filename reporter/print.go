package reporter

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/stormbench/stormbench/internal/measure"
)

// PrintSummary writes sum to w as a compact human-readable report: a
// PARTIAL banner when results are missing, every storm, the totals,
// heartbeat cost, the harness's own health, the kernel's, and the events of
// the run.
func PrintSummary(w io.Writer, sum *Summary) error {
	if sum == nil {
		return errors.New("print summary: nil summary")
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	p := func(format string, a ...any) { fmt.Fprintf(tw, format+"\n", a...) }

	h := sum.Harness
	p("run started %s, %s, %d process(es), %d loop(s)",
		sum.StartedAt.UTC().Format(time.RFC3339), seconds(sum.DurationS), h.Processes, h.Loops)
	printPartial(p, sum)
	if sum.Interrupted {
		p("interrupted: partial results")
	}
	for _, st := range sum.Storms {
		printStorm(p, st, len(sum.MissingShards) > 0)
	}

	c := sum.Counters
	p("")
	p("totals")
	p("  attempts\t%d\tconnects %d, failures %d%s", c.Get(measure.Attempts), c.Get(measure.Connects), c.Get(measure.Failures), causeList(c.Keys(measure.FailureCauses)))
	p("  disconnects\t%d%s", c.Get(measure.Disconnects), causeList(c.Keys(measure.DisconnectCauses)))
	for _, f := range measure.Families() {
		d := f.Def()
		n := sumCounts(c.Keys(f))
		if d.Total < measure.NumColumns || n == 0 {
			continue // shown beside its total column, or nothing to show
		}
		keys := strings.TrimSuffix(strings.TrimPrefix(causeList(c.Keys(f)), " ("), ")")
		if d.Text {
			keys = keyList(c.Keys(f), 3) // what servers said: the most frequent
		}
		if d.Note != "" {
			keys += " (" + d.Note + ")"
		}
		p("  %s\t%d\t%s", d.Title, n, keys)
	}
	p("  reconnects\t%d\tgave up %d", c.Get(measure.Reconnects), c.Get(measure.GaveUp))
	printTLS(p, c.Get(measure.TLSHandshakesFull), c.Get(measure.TLSHandshakesResumed))
	if c.Get(measure.RetryAfterSeen) > 0 {
		p("  retry-after\t%d refusals carried it\twaited for %d", c.Get(measure.RetryAfterSeen), c.Get(measure.RetryAfterHonoured))
	}
	other := ""
	if c.Get(measure.MessagesOther) > 0 {
		other = fmt.Sprintf(", other %d (not recognised, never counted lost)", c.Get(measure.MessagesOther))
	}
	if c.Get(measure.SeqRestarts) > 0 {
		other += fmt.Sprintf(", sequence restarted on %d connections", c.Get(measure.SeqRestarts))
	}
	p("  messages\t%d received\tlost %d, duplicated %d%s", c.Get(measure.MessagesReceived), c.Get(measure.MessagesLost), c.Get(measure.MessagesDuplicated), other)

	printSend(p, sum.Send)
	printDirect(p, sum.Direct)
	printServerView(p, sum.Server)
	hb := sum.Heartbeat
	p("heartbeat")
	p("  frames\t%d sent, %d received\t%.1f/s", hb.FramesSent, hb.FramesReceived, hb.FramesPerS)
	p("  bytes\t%s sent, %s received\t%.1f B per connection-second", size(hb.BytesSent), size(hb.BytesReceived), hb.BytesPerConnS)
	rtts := sum.Histograms[measure.HeartbeatRTT.String()].Count
	p("  rtt\tp50 %s\tp99 %s, max %s", msIf(rtts, hb.RTTMs.P50), msIf(rtts, hb.RTTMs.P99), msIf(rtts, hb.RTTMs.Max))
	if c.Get(measure.PongsUntimed) > 0 {
		p("  untimed pongs\t%d\tno usable echoed time (check --app-pong-time)", c.Get(measure.PongsUntimed))
	}

	l := h.TimerLatenessMs
	p("harness")
	p("  timer lateness\tp50 %s\tp99 %s, max %s (bound %s)", ms(l.P50), ms(l.P99), ms(l.Max), ms(h.LatenessBoundMs))
	if u := h.LoopUtilisation; u != nil {
		p("  loops busy\tmean %s\t%s", share(u.Mean), busiestPhase(h.Phases))
	}
	p("  resources\tpeak RSS %s\tCPU %.1f s", size(h.PeakRSSBytes), h.CPUSeconds)
	if h.PeakAnonBytes > 0 && h.Processes > 1 {
		// The sum of peaks counts the shared executable per process.
		p("  memory\t%s\tthe processes' own %s + the executable %s, which the sum of peak RSS counts in each of the %d processes",
			size(h.PeakAnonBytes+h.FileRSSBytes), size(h.PeakAnonBytes), size(h.FileRSSBytes), h.Processes)
	}
	printKernel(p, sum.Kernel)
	printVerdicts(p, h)
	kernelWarnings(p, sum.Kernel)
	printEvents(p, sum.Events)
	printThresholds(p, sum.Thresholds)
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("print summary: %w", err)
	}
	// Not through the tabwriter: a warning is a sentence, not a row.
	for _, w := range sum.Warnings {
		if _, err := fmt.Fprintf(tw, "\nWARNING: %s\n", w); err != nil {
			return fmt.Errorf("print summary: %w", err)
		}
	}
	return tw.Flush()
}

// printTLS writes the TLS handshakes of a wss run or storm, if any.
func printTLS(p func(string, ...any), full, resumed int64) {
	if full+resumed == 0 {
		return
	}
	p("  tls handshakes\t%d\tfull %d, resumed %d (%s)", full+resumed, full, resumed, percent(resumed, full+resumed))
}

// printStorm writes the block of one storm; lost says that load-generator
// results are missing (else an incomplete storm is one shard's view).
func printStorm(p func(string, ...any), st StormSummary, lost bool) {
	p("")
	head := fmt.Sprintf("storm %d: fault %s, t0 %s, window to %s", st.Index+1, orDash(st.Fault), seconds(st.T0), seconds(st.End))
	if st.Observed {
		head = fmt.Sprintf("storm %d: observed, t0 %s (first loss), window to %s", st.Index+1, seconds(st.T0), seconds(st.End))
	}
	if st.ScheduledS != nil && st.T0-*st.ScheduledS > 0.1 {
		head += fmt.Sprintf(" (scheduled %s, late by %s)", seconds(*st.ScheduledS), seconds(st.T0-*st.ScheduledS))
	}
	if st.TimedOut {
		head += " (timed out)"
	}
	if st.Incomplete {
		head += " (INCOMPLETE)"
	}
	p("%s", head)
	if e := st.Exec; e != nil {
		status := fmt.Sprintf("exit %d", e.ExitCode)
		if e.Error != "" {
			status = e.Error
		} else if e.ExitCode != 0 {
			status = fmt.Sprintf("FAILED: exit %d", e.ExitCode)
		}
		p("  command	%s	%s after %s, output in %s", e.Command, status, seconds(e.Duration.Seconds()), e.Log)
	}
	survived := ""
	if st.Survived > 0 {
		survived = fmt.Sprintf(", survived undetected %d", st.Survived)
	}
	switch {
	case st.Incomplete && st.RecoveryMs != nil:
		// Ended inside its window: what was measured stands, the rest is unknown.
		p("  clients\taffected %d\tdetected %d, recovered %d by the end%s; %s", st.Affected, st.Detected, st.Recovered, survived, st.IncompleteReason)
	case st.Incomplete:
		whose := "of this shard's clients"
		if lost {
			whose = "of the clients still reporting"
		}
		p("  clients\taffected %d\tdetected %d, recovered %s %s%s; %s — recovery percentiles not computed",
			st.Affected, st.Detected, grouped(st.Recovered), whose, survived, st.IncompleteReason)
	default:
		p("  clients\taffected %d\tdetected %d, recovered %d (%s)%s", st.Affected, st.Detected, st.Recovered, percent(st.Recovered, st.Affected), survived)
	}
	p("  detect\tp50 %s\tp99 %s%s", msIf(st.Detected, st.DetectMs.P50), msIf(st.Detected, st.DetectMs.P99), causeList(st.DetectCauses))
	if r := st.RecoveryMs; r != nil {
		p("  recovery\tp50 %s\tp90 %s, p99 %s, p100 %s", optMs(r.P50), optMs(r.P90), optMs(r.P99), optMs(r.P100))
	} else {
		p("  recovery\tnot computed\t(results of some clients are missing)")
	}
	if st.ReadyDiffers() {
		// A framework's join after the upgrade: open is not yet ready.
		p("  ready again\t%d (%s)\trecovery to ready p50 %s, p99 %s, p100 %s",
			st.Ready, percent(st.Ready, st.Affected), optMs(st.RecoveryReadyMs.P50), optMs(st.RecoveryReadyMs.P99), optMs(st.RecoveryReadyMs.P100))
	}
	p("  outage\tp99 %s\treconnect p99 %s", msIf(st.Recovered, st.OutageMs.P99), msIf(st.Recovered, st.ReconnectMs.P99))
	p("  attempts\t%d\tfailed %d, peak %.0f/s", st.Attempts, st.FailedAttempts, st.PeakAttemptsPerS)
	printTLS(p, st.Counts[measure.TLSHandshakesFull.String()], st.Counts[measure.TLSHandshakesResumed.String()])
	if st.ServerTakeovers != nil && *st.ServerTakeovers > 0 {
		p("  sessions\t%d taken over\tduplicate sessions the server saw (old connections still open)", *st.ServerTakeovers)
	}
	if st.PeakSentPerS > 0 {
		m := st.Messages
		p("  flush burst\tpeak %.0f messages/s\twritten by the clients (%.0f/s received by the server); lost %d, dropped %d, duplicated %d",
			st.PeakSentPerS, st.ServerPeakReceivedPerS, m.SentLost, m.SentDropped, m.SentDuplicated)
	}
	p("  messages lost\t%d", st.MessagesLost)
}

// causeList formats counts by cause as " (a 1, b 2)", names sorted; empty
// when there are none.
func causeList(m map[string]int64) string {
	names := make([]string, 0, len(m))
	for k, v := range m {
		if v != 0 {
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return ""
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// ms formats milliseconds with a precision that suits their size.
func ms(v float64) string {
	switch {
	case v >= 10000:
		return fmt.Sprintf("%.1fs", v/1000)
	case v >= 1000:
		return fmt.Sprintf("%.2fs", v/1000)
	case v >= 100:
		return fmt.Sprintf("%.0fms", v)
	case v >= 10:
		return fmt.Sprintf("%.1fms", v)
	}
	return fmt.Sprintf("%.2fms", v)
}

// msIf formats milliseconds measured over n values, "-" when n is zero.
func msIf(n int64, v float64) string {
	if n == 0 {
		return "-"
	}
	return ms(v)
}

// optMs formats optional milliseconds, "-" when absent.
func optMs(v *float64) string {
	if v == nil {
		return "-"
	}
	return ms(*v)
}

// seconds formats seconds.
func seconds(v float64) string { return fmt.Sprintf("%.3fs", v) }

// percent formats n as a share of of.
func percent(n, of int64) string {
	if of <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
}

// size formats a byte count with a binary unit.
func size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, u := float64(n)/unit, 0
	for v >= unit && u < 3 {
		v /= unit
		u++
	}
	return fmt.Sprintf("%.1f %s", v, [...]string{"KiB", "MiB", "GiB", "TiB"}[u])
}

// share formats a fraction as a percentage.
func share(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) }

// busiestPhase describes the phase with the highest single-interval loop
// utilisation, "" when no phase has one.
func busiestPhase(phases []PhaseSummary) string {
	best := -1
	for i, ph := range phases {
		if u := ph.LoopUtilisation; u != nil && (best < 0 || u.Max > phases[best].LoopUtilisation.Max) {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return fmt.Sprintf("max %s of an interval (%s)", share(phases[best].LoopUtilisation.Max), phases[best].Name)
}

// grouped formats n with a space between groups of three digits (575 796).
func grouped(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// orDash returns s, or "-" when empty.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
