package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// ErrMissingColumn is returned when a CSV lacks a column timeline needs.
var ErrMissingColumn = errors.New("missing column")

// ErrBadValue is returned for a cell that is not a finite number, a
// negative value, or times that do not increase.
var ErrBadValue = errors.New("bad value")

// readCSV reads a CSV with a header line and returns, for every data row,
// the values of the columns named want, in that order. Other columns are
// ignored, so files with more (or reordered) columns still read. The first
// wanted column is the time: it must increase strictly; every value must be
// a finite number ≥ 0.
func readCSV(r io.Reader, want []string) ([][]float64, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	idx := make([]int, len(want))
	for i, name := range want {
		idx[i] = -1
		for j, h := range head {
			if h == name {
				idx[i] = j
				break
			}
		}
		if idx[i] < 0 {
			return nil, fmt.Errorf("%w %q", ErrMissingColumn, name)
		}
	}
	var rows [][]float64
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		row := make([]float64, len(want))
		for i, j := range idx {
			if j >= len(rec) {
				return nil, fmt.Errorf("line %d: %w: no %s", line, ErrBadValue, want[i])
			}
			v, err := strconv.ParseFloat(rec[j], 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return nil, fmt.Errorf("line %d: %w: %s = %q", line, ErrBadValue, want[i], rec[j])
			}
			row[i] = v
		}
		if n := len(rows); n > 0 && row[0] <= rows[n-1][0] {
			return nil, fmt.Errorf("line %d: %w: %s %v does not increase", line, ErrBadValue, want[0], row[0])
		}
		rows = append(rows, row)
	}
}
