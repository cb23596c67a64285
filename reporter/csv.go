package reporter

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"time"
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
