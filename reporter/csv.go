package reporter

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/stormbench/stormbench/internal/measure"
)

// WriteCSV writes a header row and rows to path as CSV, atomically.
func WriteCSV(path string, header []string, rows [][]string) error {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(header); err != nil {
		return fmt.Errorf("csv %s: %w", path, err)
	}
	if err := w.WriteAll(rows); err != nil {
		return fmt.Errorf("csv %s: %w", path, err)
	}
	return WriteFileAtomic(path, b.Bytes())
}

// timeseriesRows renders the shard's series as timeseries.csv rows: t_s
// (the end of the interval in seconds since the start), then every column.
func timeseriesRows(s *Shard) [][]string {
	out := make([][]string, len(s.Series))
	for i, r := range s.Series {
		rec := make([]string, 0, len(r)+1)
		rec = append(rec, formatSeconds(s.Interval*time.Duration(i+1)))
		for _, v := range r {
			rec = append(rec, strconv.FormatInt(v, 10))
		}
		out[i] = rec
	}
	return out
}

// keySeriesHeader is the header row of timeseries_by_key.csv.
var keySeriesHeader = []string{"t_s", "family", "key", "count"}

// keySeriesRows returns the rows of timeseries_by_key.csv: every non-zero
// count of a family's key in an interval, in time order, then family
// order, then key name. The long form keeps the file small and lets a
// family have any number of keys (close codes).
func keySeriesRows(s *Shard) [][]string {
	out := [][]string{}
	for i := range s.Series {
		t := formatSeconds(s.Interval * time.Duration(i+1))
		for _, f := range measure.Families() {
			rows := s.KeySeries[f]
			for _, k := range slices.Sorted(maps.Keys(rows)) {
				if i < len(rows[k]) && rows[k][i] != 0 {
					out = append(out, []string{t, f.String(), k, strconv.FormatInt(rows[k][i], 10)})
				}
			}
		}
	}
	return out
}
