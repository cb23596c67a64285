package main

import (
	"fmt"
	"io"
)

// Series is a run's timeseries.csv: one row per interval, values indexed by
// column.
type Series struct {
	// Interval is the length of one row in seconds (the first row ends
	// one interval after the start).
	Interval float64
	// Rows holds the values of every column of every row.
	Rows [][nColumns]float64
}

// ReadSeries parses a timeseries.csv. It needs the columns timeline shows
// and ignores the others.
func ReadSeries(r io.Reader) (*Series, error) {
	cols := make([]column, nColumns)
	for i := range cols {
		cols[i] = column(i)
	}
	raw, err := readCSV(r, names(cols))
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 {
		return nil, fmt.Errorf("%w: no rows", ErrBadValue)
	}
	s := &Series{Rows: make([][nColumns]float64, len(raw))}
	for i, row := range raw {
		copy(s.Rows[i][:], row)
	}
	s.Interval = s.Rows[0][colT]
	if len(s.Rows) > 1 {
		s.Interval = s.Rows[1][colT] - s.Rows[0][colT]
	}
	if s.Interval <= 0 {
		return nil, fmt.Errorf("%w: interval %v", ErrBadValue, s.Interval)
	}
	return s, nil
}

// probeColumn is a column of syn_sent.csv, the socket-state samples
// scripts/blackhole.sh takes inside its network namespace.
type probeColumn int

const (
	probeT       probeColumn = iota // sample time, seconds since the run's start
	probeSynSent                    // client sockets in SYN-SENT
	nProbeColumns
)

var probeNames = []string{"t_s", "syn_sent"}

// Probe is a run's syn_sent.csv: sockets in SYN-SENT at instants.
type Probe struct {
	// Rows holds the samples, indexed by probeColumn.
	Rows [][nProbeColumns]float64
}

// ReadProbe parses a syn_sent.csv (columns t_s, syn_sent).
func ReadProbe(r io.Reader) (*Probe, error) {
	raw, err := readCSV(r, probeNames)
	if err != nil {
		return nil, err
	}
	p := &Probe{Rows: make([][nProbeColumns]float64, len(raw))}
	for i, row := range raw {
		copy(p.Rows[i][:], row)
	}
	return p, nil
}
