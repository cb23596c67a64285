package charts

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Hist is a latency distribution read from an HdrHistogram percentile
// file (.hgrm): the rows "Value Percentile TotalCount 1/(1-Percentile)",
// values in milliseconds (counts for attempts_per_recovery).
type Hist struct {
	// Metric is the file's metric name (the file name without .hgrm).
	Metric string
	// Points are the file's rows in order: percentiles rise.
	Points []HistPoint
	// Count is the number of recorded values (the footer's total count,
	// else the last row's).
	Count int64
	// Max is the largest value (the footer's, else the last row's).
	Max float64
}

// HistPoint is one row of a percentile file.
type HistPoint struct {
	// Value is the value at the percentile, in the file's unit.
	Value float64
	// Percentile is the share of values at or below Value, in [0, 1].
	Percentile float64
	// TotalCount is the number of values at or below Value.
	TotalCount int64
}

// Empty reports whether the histogram recorded nothing.
func (h *Hist) Empty() bool { return h == nil || h.Count == 0 || len(h.Points) == 0 }

// readHgrm reads the percentile file at path for metric. A missing file
// returns errNoFile; a malformed one an error naming it and the line.
func readHgrm(path, metric string) (*Hist, error) {
	h, err := readOptional(path, parseHgrm)
	if err != nil {
		return nil, err
	}
	h.Metric = metric
	return h, nil
}

// parseHgrm parses the HdrHistogram percentile text format: a header line
// starting with "Value", rows of four numbers, and "#[…]" footer lines.
func parseHgrm(r io.Reader) (*Hist, error) {
	h := &Hist{Count: -1, Max: math.NaN()}
	sc := bufio.NewScanner(r)
	header := false
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		switch {
		case s == "":
			continue
		case strings.HasPrefix(s, "#"):
			footer(h, s)
			continue
		case strings.HasPrefix(s, "Value"):
			header = true
			continue
		}
		if !header {
			return nil, fmt.Errorf("line %d: a row before the \"Value Percentile TotalCount 1/(1-Percentile)\" header", line)
		}
		p, err := parseRow(s)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if n := len(h.Points); n > 0 && p.Percentile < h.Points[n-1].Percentile {
			return nil, fmt.Errorf("line %d: percentile %v below the previous row's %v", line, p.Percentile, h.Points[n-1].Percentile)
		}
		h.Points = append(h.Points, p)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !header {
		return nil, errors.New("no \"Value Percentile TotalCount 1/(1-Percentile)\" header: not an HdrHistogram percentile file")
	}
	if n := len(h.Points); n > 0 {
		if h.Count < 0 {
			h.Count = h.Points[n-1].TotalCount
		}
		if math.IsNaN(h.Max) {
			h.Max = h.Points[n-1].Value
		}
	}
	h.Count = max(h.Count, 0)
	if math.IsNaN(h.Max) {
		h.Max = 0
	}
	return h, nil
}

// parseRow parses "Value Percentile TotalCount 1/(1-Percentile)"; the last
// column is implied by the second and ignored ("inf" on the last row).
func parseRow(s string) (HistPoint, error) {
	f := strings.Fields(s)
	if len(f) != 4 {
		return HistPoint{}, fmt.Errorf("%d fields, want 4 (Value Percentile TotalCount 1/(1-Percentile))", len(f))
	}
	v, err1 := strconv.ParseFloat(f[0], 64)
	p, err2 := strconv.ParseFloat(f[1], 64)
	c, err3 := strconv.ParseInt(f[2], 10, 64)
	if err := errors.Join(err1, err2, err3); err != nil {
		return HistPoint{}, fmt.Errorf("not a row of numbers: %q", s)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || !(p >= 0 && p <= 1) || c < 0 {
		return HistPoint{}, fmt.Errorf("value %v, percentile %v or count %d out of range", v, p, c)
	}
	return HistPoint{Value: v, Percentile: p, TotalCount: c}, nil
}

// footer reads the total count and maximum from a "#[Max = …, Total count
// = …]" line; other footer lines carry nothing the charts need.
func footer(h *Hist, s string) {
	s = strings.Trim(s, "#[]")
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "Max":
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				h.Max = f
			}
		case "Total count":
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				h.Count = n
			}
		}
	}
}
