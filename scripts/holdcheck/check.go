package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/stormbench/stormbench/internal/measure"
	"github.com/stormbench/stormbench/reporter"
)

// stats is the server's own count, as a target's stats script prints it.
type stats struct {
	Joined      int64 `json:"joined"`
	Connections int64 `json:"connections"`
	Seq         int64 `json:"seq"`
}

// input is everything one check reads.
type input struct {
	target  string
	clients int64
	// reorders allows as many messages duplicated as lost before the
	// fault: a server that reorders a connection's messages (Action
	// Cable's worker pool) shows each overtaken message as a gap then a
	// duplicate.
	reorders bool
	// stats is the server's count read in the middle of the hold; nil
	// when it could not be read.
	stats *stats
	sum   *reporter.Summary
	hold  hold
}

// result is the checks' verdict and the row's figures.
type result struct {
	failures []string
	cells    []string
}

// header is the table's header, in the order of result.cells.
var header = []string{"target", "joined (server) / fleet", "ended in the hold: by the server / all",
	"messages in the hold: received / lost / dup", "restart took", "recovery open p50 / p99",
	"recovery ready p50 / p99", "ready again", "lost / dup (run)", "heartbeat B per conn-s",
	"B per heartbeat frame", "peak RSS (per client)", "check"}

// serverCauses are the disconnect causes of a connection the server ended:
// a close frame, a FIN or an RST from it, a refused join. (A heartbeat
// timeout is the client's verdict on a server gone silent.)
var serverCauses = []measure.Cause{measure.CauseCloseFrame, measure.CauseEOF, measure.CauseReset, measure.CauseJoinRefused}

// check applies every check to in and computes the row.
func check(in input) result {
	var r result
	fail := func(format string, a ...any) { r.failures = append(r.failures, fmt.Sprintf(format, a...)) }
	sum, h, n := in.sum, in.hold, in.clients
	c := &sum.Counters

	if sum.Partial {
		fail("partial results: %s", strings.Join(sum.PartialReasons, "; "))
	}
	// Before the fault: nothing ended, everyone joined once and is ready.
	ended := h.counts[measure.Disconnects]
	byServer := int64(0)
	for _, c := range serverCauses {
		byServer += h.byKey[measure.DisconnectCauses][c.String()]
	}
	if d := ended; d != 0 || total(h.byKey[measure.CloseCodes])+total(h.byKey[measure.Goodbyes]) != 0 {
		fail("before the fault: %d disconnects (causes %s), close codes %s, goodbyes %s; want none",
			d, keys(h.byKey[measure.DisconnectCauses]), keys(h.byKey[measure.CloseCodes]), keys(h.byKey[measure.Goodbyes]))
	}
	if j := h.counts[measure.Joins]; j != n || h.ready != n {
		fail("before the fault: %d joins, %d ready at T0; want %d each", j, h.ready, n)
	}
	joined := "-"
	switch {
	case in.stats == nil:
		fail("the server's stats were not read during the hold")
	case in.stats.Joined != n:
		fail("the server counted %d clients joined in the middle of the hold (%d connections); want %d", in.stats.Joined, in.stats.Connections, n)
	}
	if in.stats != nil {
		joined = fmt.Sprintf("%d / %d", in.stats.Joined, n)
	}
	// The stream, as data.
	recv, lost, dup := h.counts[measure.MessagesReceived], h.counts[measure.MessagesLost], h.counts[measure.MessagesDuplicated]
	allowed := int64(0)
	if in.reorders {
		allowed = dup
	}
	if recv < n || lost != allowed || dup != allowed || h.counts[measure.MessagesOther] != 0 {
		fail("before the fault: %d data messages (want ≥ %d), %d lost, %d duplicated, %d unrecognised", recv, n, lost, dup, h.counts[measure.MessagesOther])
	}
	if c.Get(measure.MessagesOther) != 0 || c.Get(measure.JoinsRefused) != 0 || total(c.Keys(measure.ProfileErrors)) != 0 {
		fail("in the run: %d unrecognised messages, refusals %s, protocol errors %s",
			c.Get(measure.MessagesOther), keys(c.Keys(measure.JoinRefusals)), keys(c.Keys(measure.ProfileErrors)))
	}

	// The restart.
	restart, open, ready, back := "-", "-", "-", "-"
	if len(sum.Storms) != 1 {
		fail("%d storms, want 1", len(sum.Storms))
	} else {
		st := sum.Storms[0]
		if st.Exec == nil || st.Exec.Failed() {
			fail("the restart command failed: %+v", st.Exec)
		} else {
			restart = fmt.Sprintf("%.1f s", st.Exec.Duration.Seconds())
		}
		if st.Affected != n || st.Recovered != n || st.Ready != n || st.TimedOut {
			fail("storm: %d affected, %d open again, %d ready again, timed out %v; want all %d back", st.Affected, st.Recovered, st.Ready, st.TimedOut, n)
		}
		if st.Affected > 0 {
			back = fmt.Sprintf("%.1f %%", 100*float64(st.Ready)/float64(st.Affected))
		}
		o, rd := st.RecoveryMs, st.RecoveryReadyMs
		open, ready = p50p99(o), p50p99(rd)
		switch {
		case o == nil || rd == nil || o.P50 == nil || o.P99 == nil || rd.P50 == nil || rd.P99 == nil:
			fail("recovery open %s, ready %s: want both p50 and p99", open, ready)
		case *rd.P50 < *o.P50 || *rd.P99 < *o.P99:
			fail("recovery to ready (%s) sooner than open (%s)", ready, open)
		}
	}

	hb := sum.Heartbeat
	perFrame := "-"
	if f := hb.FramesSent + hb.FramesReceived; f > 0 {
		perFrame = fmt.Sprintf("%.1f", float64(hb.BytesSent+hb.BytesReceived)/float64(f))
	}
	rss := "-"
	if n > 0 && sum.Harness.PeakRSSBytes > 0 {
		rss = fmt.Sprintf("%.1f MiB (%.1f KiB)", float64(sum.Harness.PeakRSSBytes)/(1<<20), float64(sum.Harness.PeakRSSBytes)/float64(n)/1024)
	}
	verdict := "passed"
	if len(r.failures) > 0 {
		verdict = "FAILED"
	}
	r.cells = []string{in.target, joined, fmt.Sprintf("%d / %d", byServer, ended),
		fmt.Sprintf("%d / %d / %d", recv, lost, dup), restart, open, ready, back,
		fmt.Sprintf("%d / %d", c.Get(measure.MessagesLost), c.Get(measure.MessagesDuplicated)),
		fmt.Sprintf("%.1f", hb.BytesPerConnS), perFrame, rss, verdict}
	return r
}

// p50p99 formats a fleet recovery time's p50 and p99 in seconds.
func p50p99(r *reporter.Recovery) string {
	if r == nil {
		return "-"
	}
	s := func(v *float64) string {
		if v == nil {
			return "-"
		}
		return fmt.Sprintf("%.2f", *v/1000)
	}
	return s(r.P50) + " / " + s(r.P99) + " s"
}

// total sums the counts of a family.
func total(m map[string]int64) int64 {
	var t int64
	for _, v := range m {
		t += v
	}
	return t
}

// keys formats a family's counts, "{}" when it has none.
func keys(m map[string]int64) string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range ks {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s: %d", k, m[k])
	}
	b.WriteByte('}')
	return b.String()
}

// row formats cells as a Markdown table row.
func row(cells []string) string { return "| " + strings.Join(cells, " | ") + " |" }
