package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/stormbench/stormbench/internal/measure"
	"github.com/stormbench/stormbench/reporter"
)

// errMissingColumn is returned when a CSV lacks a column holdcheck needs.
var errMissingColumn = errors.New("missing column")

// hold is what the rows of the time series before the fault hold: the
// sum of every count column of seriesColumns, the last value of the ready
// gauge, and every family of timeseries_by_key.csv by key.
type hold struct {
	counts map[measure.Column]int64
	ready  int64
	byKey  map[measure.Family]map[string]int64
}

// seriesColumns are the timeseries.csv columns holdcheck reads before the
// fault (Ready is a gauge: its last value; the others are summed).
var seriesColumns = []measure.Column{measure.Disconnects, measure.Joins, measure.JoinsRefused, measure.Ready,
	measure.MessagesReceived, measure.MessagesLost, measure.MessagesDuplicated, measure.MessagesOther}

// families are the families of timeseries_by_key.csv by name.
func families() map[string]measure.Family {
	m := map[string]measure.Family{}
	for f := range measure.NumFamilies {
		m[f.String()] = f
	}
	return m
}

// readHold reads the rows of dir's time series whose interval ends at or
// before t0 seconds (a row at t_s covers the interval that ends there): the
// ramp and the hold, none of the storm.
func readHold(dir string, t0 float64) (hold, error) {
	h := hold{counts: map[measure.Column]int64{}, byKey: map[measure.Family]map[string]int64{}}
	cols := []string{"t_s"}
	for _, c := range seriesColumns {
		cols = append(cols, c.String())
	}
	err := eachRow(filepath.Join(dir, reporter.TimeseriesFile), cols, func(v []string) error {
		ts, err := strconv.ParseFloat(v[0], 64)
		if err != nil || ts > t0 {
			return err
		}
		for i, col := range seriesColumns {
			n, err := strconv.ParseInt(v[i+1], 10, 64)
			if err != nil {
				return fmt.Errorf("%s %q: %w", col, v[i+1], err)
			}
			if col == measure.Ready {
				h.ready = n
			} else {
				h.counts[col] += n
			}
		}
		return nil
	})
	if err != nil {
		return h, err
	}
	fams := families()
	err = eachRow(filepath.Join(dir, reporter.KeySeriesFile), []string{"t_s", "family", "key", "count"}, func(v []string) error {
		ts, err := strconv.ParseFloat(v[0], 64)
		if err != nil || ts > t0 {
			return err
		}
		n, err := strconv.ParseInt(v[3], 10, 64)
		if err != nil {
			return fmt.Errorf("count %q: %w", v[3], err)
		}
		f, ok := fams[v[1]]
		if !ok {
			return nil // a family this version does not know
		}
		if h.byKey[f] == nil {
			h.byKey[f] = map[string]int64{}
		}
		h.byKey[f][v[2]] += n
		return nil
	})
	return h, err
}

// eachRow calls f with the values of the columns want of every data row of
// the CSV file path, in that order (other columns are ignored).
func eachRow(path string, want []string, f func([]string) error) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	r := csv.NewReader(file)
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: header: %w", path, err)
	}
	idx := make([]int, len(want))
	for i, name := range want {
		idx[i] = -1
		for j, h := range head {
			if h == name {
				idx[i] = j
			}
		}
		if idx[i] < 0 {
			return fmt.Errorf("%s: %w %q", path, errMissingColumn, name)
		}
	}
	v := make([]string, len(want))
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		for i, j := range idx {
			if j >= len(rec) {
				return fmt.Errorf("%s line %d: no %s", path, line, want[i])
			}
			v[i] = rec[j]
		}
		if err := f(v); err != nil {
			return fmt.Errorf("%s line %d: %w", path, line, err)
		}
	}
}
