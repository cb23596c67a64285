package main

import (
	"fmt"
	"io"
	"math"
	"slices"
)

// spread is the median of a figure over the rounds and its range.
type spread struct{ med, lo, hi float64 }

func spreadOf(v []float64) spread {
	if len(v) == 0 {
		return spread{math.NaN(), math.NaN(), math.NaN()}
	}
	s := slices.Clone(v)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return spread{med, s[0], s[len(s)-1]}
}

// cell writes "median (min–max)" with the given number format.
func (s spread) cell(format string) string {
	if math.IsNaN(s.med) {
		return "–"
	}
	return fmt.Sprintf(format+" ("+format+"–"+format+")", s.med, s.lo, s.hi)
}

func collect(ts []*trial, f func(*trial) float64) spread {
	v := make([]float64, len(ts))
	for i, t := range ts {
		v[i] = f(t)
	}
	return spreadOf(v)
}

// printTables writes the comparison as Markdown tables: the hold trials,
// then the connect-rate trial, each row an engine's medians over the
// rounds with their range.
func printTables(w io.Writer, o *options, scs []scenario, all []*trial) {
	var loads []float64
	for _, t := range all {
		for _, l := range t.Load {
			if l > 0 {
				loads = append(loads, l)
			}
		}
	}
	ls := spreadOf(loads)
	fmt.Fprintf(w, "\n%d round(s); 1-minute load average during the trials: median %.2f, %.2f–%.2f\n", o.rounds, ls.med, ls.lo, ls.hi)
	pick := func(sc scenario, eng string) []*trial {
		var ts []*trial
		for _, t := range all {
			if t.Scenario == sc.name() && t.Engine == eng {
				ts = append(ts, t)
			}
		}
		return ts
	}
	hold := false
	for _, sc := range scs {
		hold = hold || sc.hold > 0
	}
	if hold {
		fmt.Fprintf(w, "\nHold: ramp at %.0f/s, then a ping every %v per client (deadline %v), %v measured. Memory and CPU:\n\n", o.rate, o.interval, 3*o.interval, o.hold)
		fmt.Fprintln(w, "| clients | engine | RSS / conn (B) | heap / conn (B) | CPU / heartbeat (µs) | allocations / heartbeat | server CPU / heartbeat (µs) | ramp CPU / connect (µs) | allocations / connect |")
		fmt.Fprintln(w, "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
		for _, sc := range scs {
			if sc.hold == 0 {
				continue
			}
			for _, eng := range o.engineList {
				ts := pick(sc, eng)
				fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", sc.n, eng,
					collect(ts, func(t *trial) float64 { return t.RSSPerConn }).cell("%.0f"),
					collect(ts, func(t *trial) float64 { return t.HeapPerConn }).cell("%.0f"),
					collect(ts, func(t *trial) float64 { return t.CPUPerHB }).cell("%.1f"),
					collect(ts, func(t *trial) float64 { return t.AllocsPerHB }).cell("%.2f"),
					collect(ts, func(t *trial) float64 { return t.ServerCPUPerHB }).cell("%.1f"),
					collect(ts, func(t *trial) float64 { return t.CPUPerConnect }).cell("%.0f"),
					collect(ts, func(t *trial) float64 { return t.AllocsPerConnect }).cell("%.1f"))
			}
		}
		fmt.Fprintf(w, "\nHold: timing (timer lateness of the ping and deadline timers in the hold window; attempt lateness in the ramp).\n\n")
		fmt.Fprintln(w, "| clients | engine | timer lateness p50 (ms) | p99 (ms) | max (ms) | ping RTT p99 (ms) | attempt lateness p99 (ms) | failed, dead |")
		fmt.Fprintln(w, "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
		for _, sc := range scs {
			if sc.hold == 0 {
				continue
			}
			for _, eng := range o.engineList {
				ts := pick(sc, eng)
				var bad int64
				for _, t := range ts {
					bad += t.Failed + t.Dead
				}
				fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s | %s | %d |\n", sc.n, eng,
					collect(ts, func(t *trial) float64 { return t.LateP50 }).cell("%.2f"),
					collect(ts, func(t *trial) float64 { return t.LateP99 }).cell("%.1f"),
					collect(ts, func(t *trial) float64 { return t.LateMax }).cell("%.0f"),
					collect(ts, func(t *trial) float64 { return t.RTTP99 }).cell("%.1f"),
					collect(ts, func(t *trial) float64 { return t.RampLateP99 }).cell("%.1f"),
					bad)
			}
		}
	}
	for _, t := range all {
		if t.RampOverran {
			fmt.Fprintf(w, "\nNote: round %d, %s, %s: the ramp was not over when the hold window began; its hold figures include connects.\n", t.Round, t.Scenario, t.Engine)
		}
	}
	for _, sc := range scs {
		if sc.hold > 0 {
			continue
		}
		fmt.Fprintf(w, "\nConnect rate: %d clients scheduled at %.0f/s (faster than this machine connects them).\n\n", sc.n, sc.rate)
		fmt.Fprintln(w, "| engine | connects / s | client CPU / connect (µs) | attempt lateness p99 (ms) | connect time p99 (ms) | failed |")
		fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: |")
		for _, eng := range o.engineList {
			ts := pick(sc, eng)
			var bad int64
			for _, t := range ts {
				bad += t.Failed + t.Dead
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %d |\n", eng,
				collect(ts, func(t *trial) float64 { return t.ConnectRate }).cell("%.0f"),
				collect(ts, func(t *trial) float64 { return t.CPUPerConnect }).cell("%.1f"),
				collect(ts, func(t *trial) float64 { return t.RampLateP99 }).cell("%.0f"),
				collect(ts, func(t *trial) float64 { return t.ConnectP99 }).cell("%.0f"),
				bad)
		}
	}
}
