package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// column is a timeseries.csv column figures reads.
type column int

const (
	colT        column = iota // end of the interval, seconds since the start
	colOpen                   // gauge at the interval's end
	colAttempts               // attempts within the interval
	colConnects               // connects within the interval
	nColumns
)

var columnNames = [nColumns]string{"t_s", "open", "attempts", "connects"}

// ErrBadCSV is returned for a timeseries.csv figures cannot read.
var ErrBadCSV = errors.New("bad timeseries.csv")

// readSeries reads the columns figures needs from a timeseries.csv (others
// are ignored); values must be finite and ≥ 0, times increasing.
func readSeries(r io.Reader) ([][nColumns]float64, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrBadCSV, err)
	}
	var idx [nColumns]int
	for c := range nColumns {
		idx[c] = -1
		for j, h := range head {
			if h == columnNames[c] {
				idx[c] = j
			}
		}
		if idx[c] < 0 {
			return nil, fmt.Errorf("%w: no column %s", ErrBadCSV, columnNames[c])
		}
	}
	var rows [][nColumns]float64
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %w", ErrBadCSV, line, err)
		}
		var row [nColumns]float64
		for c, j := range idx {
			if j >= len(rec) {
				return nil, fmt.Errorf("%w: line %d: no %s", ErrBadCSV, line, columnNames[c])
			}
			v, err := strconv.ParseFloat(rec[j], 64)
			if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%w: line %d: %s = %q", ErrBadCSV, line, columnNames[c], rec[j])
			}
			row[c] = v
		}
		if len(rows) > 0 && row[colT] <= rows[len(rows)-1][colT] {
			return nil, fmt.Errorf("%w: line %d: time does not increase", ErrBadCSV, line)
		}
		rows = append(rows, row)
	}
}
