package reporter

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// PrintSummary writes sum to w as a compact human-readable report: every
// storm, the totals, heartbeat cost and the harness's own health.
func PrintSummary(w io.Writer, sum *Summary) error {
	if sum == nil {
		return errors.New("print summary: nil summary")
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	p := func(format string, a ...any) { fmt.Fprintf(tw, format+"\n", a...) }

	h := sum.Harness
	p("run started %s, %s, %d process(es), %d loop(s)",
		sum.StartedAt.UTC().Format(time.RFC3339), seconds(sum.DurationS), h.Processes, h.Loops)
	if sum.Interrupted {
		p("interrupted: partial results")
	}
	for _, st := range sum.Storms {
		printStorm(p, st)
	}

	c := sum.Counters
	p("")
	p("totals")
	p("  attempts\t%d\tconnects %d, failures %d%s", c.Attempts, c.Connects, c.Failures, causeList(c.FailureCauses))
	p("  disconnects\t%d%s", c.Disconnects, causeList(c.DisconnectCauses))
	p("  reconnects\t%d\tgave up %d", c.Reconnects, c.GaveUp)
	p("  messages\t%d received\tlost %d, duplicated %d", c.MessagesReceived, c.MessagesLost, c.MessagesDuplicated)

	hb := sum.Heartbeat
	p("heartbeat")
	p("  frames\t%d sent, %d received\t%.1f/s", hb.FramesSent, hb.FramesReceived, hb.FramesPerS)
	p("  bytes\t%s sent, %s received\t%.1f B per connection-second", size(hb.BytesSent), size(hb.BytesReceived), hb.BytesPerConnS)
	rtts := sum.Histograms[mRTT.String()].Count
	p("  rtt\tp50 %s\tp99 %s, max %s", msIf(rtts, hb.RTTMs.P50), msIf(rtts, hb.RTTMs.P99), msIf(rtts, hb.RTTMs.Max))

	l := h.TimerLatenessMs
	p("harness")
	p("  timer lateness\tp50 %s\tp99 %s, max %s (bound %s)", ms(l.P50), ms(l.P99), ms(l.Max), ms(h.LatenessBoundMs))
	p("  resources\tpeak RSS %s\tCPU %.1f s", size(h.PeakRSSBytes), h.CPUSeconds)
	if h.Saturated {
		p("WARNING: the harness was saturated (timer lateness p99 %s > %s): these figures describe the harness, not the server",
			ms(l.P99), ms(h.LatenessBoundMs))
	}
	var hot []string
	for _, ph := range h.Phases {
		if ph.Saturated {
			hot = append(hot, fmt.Sprintf("%s (p99 %s)", ph.Name, ms(ph.TimerLatenessMs.P99)))
		}
	}
	if len(hot) > 0 {
		p("WARNING: saturated phases: %s", strings.Join(hot, ", "))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("print summary: %w", err)
	}
	return nil
}

// printStorm writes the block of one storm.
func printStorm(p func(string, ...any), st StormSummary) {
	p("")
	head := fmt.Sprintf("storm %d: fault %s, t0 %s, window to %s", st.Index+1, orDash(st.Fault), seconds(st.T0), seconds(st.End))
	if st.TimedOut {
		head += " (timed out)"
	}
	p("%s", head)
	if st.Survived > 0 {
		p("  clients\taffected %d\tdetected %d, recovered %d (%s), survived undetected %d", st.Affected, st.Detected, st.Recovered, percent(st.Recovered, st.Affected), st.Survived)
	} else {
		p("  clients\taffected %d\tdetected %d, recovered %d (%s)", st.Affected, st.Detected, st.Recovered, percent(st.Recovered, st.Affected))
	}
	p("  detect\tp50 %s\tp99 %s%s", msIf(st.Detected, st.DetectMs.P50), msIf(st.Detected, st.DetectMs.P99), causeList(st.DetectCauses))
	r := st.RecoveryMs
	p("  recovery\tp50 %s\tp90 %s, p99 %s, p100 %s", optMs(r.P50), optMs(r.P90), optMs(r.P99), optMs(r.P100))
	p("  outage\tp99 %s\treconnect p99 %s", msIf(st.Recovered, st.OutageMs.P99), msIf(st.Recovered, st.ReconnectMs.P99))
	p("  attempts\t%d\tfailed %d, peak %.0f/s", st.Attempts, st.FailedAttempts, st.PeakAttemptsPerS)
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

// orDash returns s, or "-" when empty.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
