package charts

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
)

// Series is a time series read from a CSV file whose first column is t_s
// (seconds) and whose other columns are named in its header row. Columns
// are looked up by name, never by position, so that files with more, fewer
// or reordered columns (other versions) read the same.
type Series struct {
	// T is each row's time in seconds, on the run's clock.
	T []float64
	// Columns lists the header's column names after t_s, in file order.
	Columns []string
	values  map[string][]float64
}

// Column returns the values of the named column, or nil and false when the
// file has no such column.
func (s *Series) Column(name string) ([]float64, bool) {
	if s == nil {
		return nil, false
	}
	v, ok := s.values[name]
	return v, ok
}

// Len returns the number of rows.
func (s *Series) Len() int {
	if s == nil {
		return 0
	}
	return len(s.T)
}

// errNoFile marks an optional file that is absent: not an error of the
// folder, only something it lacks.
var errNoFile = errors.New("file not found")

// readSeries reads the CSV time series at path. A missing file returns
// errNoFile; any other problem names the file and the line.
func readSeries(path string) (*Series, error) {
	return readOptional(path, parseSeries)
}

// readOptional parses the file at path with parse. A missing file returns
// errNoFile; any other problem names the file.
func readOptional[T any](path string, parse func(io.Reader) (T, error)) (T, error) {
	var zero T
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return zero, errNoFile
	}
	if err != nil {
		return zero, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	v, err := parse(f)
	if err != nil {
		return zero, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// parseSeries parses a CSV time series from r.
func parseSeries(r io.Reader) (*Series, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("empty file: no header row")
	}
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	tCol := -1
	s := &Series{values: map[string][]float64{}}
	names := make([]string, len(header))
	for i, h := range header {
		names[i] = h
		if h == "t_s" {
			tCol = i
			continue
		}
		if _, dup := s.values[h]; dup {
			return nil, fmt.Errorf("header: column %q appears twice", h)
		}
		s.values[h] = nil
		s.Columns = append(s.Columns, h)
	}
	if tCol < 0 {
		return nil, errors.New("header: no t_s column")
	}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		for i, field := range rec {
			v, err := strconv.ParseFloat(field, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("line %d, column %s: %q is not a number", line, names[i], field)
			}
			if i == tCol {
				s.T = append(s.T, v)
			} else {
				s.values[names[i]] = append(s.values[names[i]], v)
			}
		}
	}
	return s, nil
}

// shift adds dt seconds to every row's time.
func (s *Series) shift(dt float64) {
	for i := range s.T {
		s.T[i] += dt
	}
}

// interval estimates the row interval in seconds from the times (the
// median gap), for files whose interval is not recorded elsewhere.
func (s *Series) interval() float64 {
	if len(s.T) < 2 {
		return 0
	}
	gaps := make([]float64, 0, len(s.T)-1)
	for i := 1; i < len(s.T); i++ {
		gaps = append(gaps, s.T[i]-s.T[i-1])
	}
	return median(gaps)
}
