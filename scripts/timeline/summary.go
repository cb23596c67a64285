package main

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// runSummary is what timeline derives about connecting clients in one run,
// counted from the run's T0 (the whole run without one).
type runSummary struct {
	// PeakConnecting is the highest connecting gauge, at PeakAt (relative
	// to T0), with the open and waiting gauges of that row.
	PeakConnecting, PeakAt, PeakOpen, PeakWaiting float64
	// PeakSyn is the most sockets seen in SYN-SENT at once, at PeakSynAt.
	PeakSyn, PeakSynAt float64
	HaveSyn            bool
	// BusyFrom … BusyTo is the longest stretch of rows in which the
	// connecting gauge never read 0 (relative to T0); BusyBound, the time
	// between the zero readings around it, bounds the longest time any
	// one client can have spent connecting in it.
	BusyFrom, BusyTo, BusyBound float64
	HaveBusy                    bool
	// ClientSeconds is Σ connecting × interval, Attempts the attempts
	// counted; their ratio is the mean time one attempt spent connecting
	// (Little's law: L = λW over the window).
	ClientSeconds, Attempts float64
	// LatenessMax is the largest timer lateness (ms) of the phases that
	// overlap the window, named in Phases; it bounds how long an attempt
	// waited for its dial to start. Zero when summary.json is absent.
	LatenessMax float64
	Phases      []string
	// ConnectTimeout is the run's connect timeout in seconds (0: unknown).
	ConnectTimeout float64
}

// summarize derives the run's summary figures.
func summarize(r *Run) runSummary {
	s := runSummary{ConnectTimeout: r.ConnectTimeout}
	dt := r.Series.Interval
	start := math.Inf(-1)
	if r.HaveT0 {
		start = r.T0
	}
	prevZero := math.NaN() // time of the last zero reading
	busyStart := math.NaN()
	end := math.NaN()
	for i, row := range r.Series.Rows {
		t := row[colT]
		if t-dt < start-1e-9 {
			continue
		}
		end = t
		if v := row[colConnecting]; v > s.PeakConnecting {
			s.PeakConnecting, s.PeakAt, s.PeakOpen, s.PeakWaiting = v, t-r.T0, row[colOpen], row[colWaiting]
		}
		s.ClientSeconds += row[colConnecting] * dt
		s.Attempts += row[colAttempts]
		if row[colConnecting] > 0 {
			if math.IsNaN(busyStart) {
				busyStart = t
			}
			last := i == len(r.Series.Rows)-1
			if !last && r.Series.Rows[i+1][colConnecting] > 0 {
				continue
			}
			// The stretch ends at this row: readings from busyStart to t
			// were non-zero, so a client connecting in it started after
			// the zero reading before (or the window's start) and ended
			// before the zero reading after (or the run's end).
			before := prevZero
			if math.IsNaN(before) {
				before = busyStart - dt
			}
			bound := t + dt - before
			if last {
				bound = t - before
			}
			if !s.HaveBusy || bound > s.BusyBound {
				s.BusyFrom, s.BusyTo, s.BusyBound, s.HaveBusy = busyStart-r.T0, t-r.T0, bound, true
			}
			busyStart = math.NaN()
		} else {
			prevZero = t
		}
	}
	if r.Probe != nil {
		for _, p := range r.Probe.Rows {
			if p[probeT] < start {
				continue
			}
			if !s.HaveSyn || p[probeSynSent] > s.PeakSyn {
				s.PeakSyn, s.PeakSynAt, s.HaveSyn = p[probeSynSent], p[probeT]-r.T0, true
			}
		}
	}
	if r.Summary != nil && !math.IsNaN(end) {
		for _, ph := range r.Summary.Harness.Phases {
			if ph.EndS <= start || ph.StartS >= end || ph.EndS <= ph.StartS {
				continue
			}
			s.Phases = append(s.Phases, ph.Name)
			s.LatenessMax = max(s.LatenessMax, ph.TimerLatenessMs.Max)
		}
	}
	return s
}

// writeSummary prints the summary lines of every run.
func writeSummary(w io.Writer, runs []*Run) {
	for _, r := range runs {
		s := summarize(r)
		p := r.Label + ": "
		at := func(t float64) string {
			if r.HaveT0 {
				return fmt.Sprintf("t0%+.1fs", t)
			}
			return fmt.Sprintf("%.1fs", t)
		}
		window := "over the whole run"
		if r.HaveT0 {
			window = "from t0 on"
		}
		fmt.Fprintf(w, "%speak connecting %.0f at %s (open %.0f, waiting %.0f), %s\n",
			p, s.PeakConnecting, at(s.PeakAt), s.PeakOpen, s.PeakWaiting, window)
		if s.HaveSyn {
			fmt.Fprintf(w, "%speak sockets in SYN-SENT %.0f at %s\n", p, s.PeakSyn, at(s.PeakSynAt))
		}
		if s.Attempts > 0 {
			fmt.Fprintf(w, "%smean time an attempt spent connecting %s (Little's law: %.1f client-seconds connecting / %.0f attempts)\n",
				p, secs(s.ClientSeconds/s.Attempts), s.ClientSeconds, s.Attempts)
		}
		if s.HaveBusy {
			fmt.Fprintf(w, "%sconnecting never read 0 from %s to %s: no client connected for longer than %s there\n",
				p, at(s.BusyFrom), at(s.BusyTo), secs(s.BusyBound))
		}
		if len(s.Phases) > 0 {
			line := fmt.Sprintf("%slongest wait before a dial started ≤ %s (timer lateness max, phases %s)",
				p, secs(s.LatenessMax/1000), strings.Join(s.Phases, ", "))
			if s.ConnectTimeout > 0 {
				line += fmt.Sprintf("; with the %s connect timeout one attempt spent ≤ %s connecting",
					secs(s.ConnectTimeout), secs(s.LatenessMax/1000+s.ConnectTimeout))
			}
			fmt.Fprintln(w, line)
		}
	}
}

// secs formats seconds: milliseconds below 0.1 s.
func secs(v float64) string {
	if v < 0.1 {
		return fmt.Sprintf("%.1f ms", v*1000)
	}
	return fmt.Sprintf("%.2f s", v)
}
