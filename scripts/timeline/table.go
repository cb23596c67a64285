package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
)

// cell is one step (one second by default) of one run.
type cell struct {
	covered          float64 // seconds of time-series rows that fell into the step
	att, conn, fail  float64 // counts within the step
	open, connecting float64 // gauges at the step's last row
	waiting          float64
	rows             int
	syn              float64 // highest SYN-SENT sample in the step
	haveSyn          bool
}

// cells buckets a run's rows into steps of step seconds counted from its
// T0: row i goes to the step holding its interval's midpoint, so that a
// 100 ms row never straddles two steps.
func (r *Run) cells(step float64) map[int]*cell {
	m := map[int]*cell{}
	get := func(k int) *cell {
		c := m[k]
		if c == nil {
			c = &cell{}
			m[k] = c
		}
		return c
	}
	dt := r.Series.Interval
	for _, row := range r.Series.Rows {
		c := get(int(math.Floor((row[colT] - dt/2 - r.T0) / step)))
		c.rows++
		c.covered += dt
		c.att += row[colAttempts]
		c.conn += row[colConnects]
		c.fail += row[colFailures]
		c.open, c.connecting, c.waiting = row[colOpen], row[colConnecting], row[colWaiting]
	}
	if r.Probe != nil {
		for _, p := range r.Probe.Rows {
			c := get(int(math.Floor((p[probeT] - r.T0) / step)))
			if !c.haveSyn || p[probeSynSent] > c.syn {
				c.syn, c.haveSyn = p[probeSynSent], true
			}
		}
	}
	return m
}

// span returns the first and last step of a run's rows.
func (r *Run) span(step float64) (int, int) {
	dt := r.Series.Interval
	first := r.Series.Rows[0][colT] - dt/2 - r.T0
	last := r.Series.Rows[len(r.Series.Rows)-1][colT] - dt/2 - r.T0
	return int(math.Floor(first / step)), int(math.Floor(last / step))
}

// writeTable prints the runs side by side, one line per step from
// from to to (seconds relative to each run's T0), within the runs' extent
// (NaN: no limit).
func writeTable(w io.Writer, runs []*Run, step, from, to float64) error {
	lo, hi := math.MaxInt, math.MinInt
	for _, r := range runs {
		a, b := r.span(step)
		lo, hi = min(lo, a), max(hi, b)
	}
	// The window only narrows the runs' extent: rows without data in
	// any run would say nothing.
	if !math.IsNaN(from) {
		lo = max(lo, int(math.Floor(from/step+1e-9)))
	}
	if !math.IsNaN(to) {
		hi = min(hi, int(math.Ceil(to/step-1e-9))-1)
	}
	cells := make([]map[int]*cell, len(runs))
	for i, r := range runs {
		cells[i] = r.cells(step)
	}
	aligned := false
	for _, r := range runs {
		aligned = aligned || r.HaveT0
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	var h1, h2 strings.Builder
	if aligned {
		h1.WriteString("\t")
		h2.WriteString("t-t0 s\t")
	} else {
		h1.WriteString("\t")
		h2.WriteString("t s\t")
	}
	for i, r := range runs {
		if i > 0 {
			h1.WriteString("|\t")
			h2.WriteString("|\t")
		}
		h1.WriteString(r.Label + "\t\t\t\t\t\t")
		h2.WriteString("attempts/s\tconnects/s\tfailures/s\topen\tconnecting\twaiting\t")
		if r.Probe != nil {
			h1.WriteString("\t")
			h2.WriteString("syn_sent\t")
		}
	}
	fmt.Fprintln(tw, h1.String())
	fmt.Fprintln(tw, h2.String())
	for k := lo; k <= hi; k++ {
		var b strings.Builder
		b.WriteString(stepLabel(float64(k)*step, step, aligned) + "\t")
		for i, r := range runs {
			if i > 0 {
				b.WriteString("|\t")
			}
			c := cells[i][k]
			if c == nil || c.rows == 0 {
				b.WriteString("-\t-\t-\t-\t-\t-\t")
			} else {
				fmt.Fprintf(&b, "%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t",
					c.att/c.covered, c.conn/c.covered, c.fail/c.covered, c.open, c.connecting, c.waiting)
			}
			if r.Probe != nil {
				if c != nil && c.haveSyn {
					fmt.Fprintf(&b, "%.0f\t", c.syn)
				} else {
					b.WriteString("-\t")
				}
			}
		}
		fmt.Fprintln(tw, b.String())
	}
	return tw.Flush()
}

// stepLabel formats a step's start: signed when runs are aligned at T0,
// with a decimal when steps are shorter than a second.
func stepLabel(t, step float64, signed bool) string {
	f := "%.0f"
	if step < 1 {
		f = "%.1f"
	}
	if signed {
		f = "%+" + f[1:]
	}
	s := fmt.Sprintf(f, t)
	if s == "-0" || s == "-0.0" {
		s = s[1:]
	}
	return s
}
