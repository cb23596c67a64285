package reporter

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/stormbench/stormbench/internal/measure"
)

// Names of the files of a results folder.
const (
	ConfigFile     = "config.json"
	SummaryFile    = "summary.json"
	TimeseriesFile = "timeseries.csv"
	HlogFile       = "histograms.hlog"
	// KeySeriesFile holds the counts by key (causes, rules, close codes)
	// per interval, one row per non-zero count.
	KeySeriesFile = "timeseries_by_key.csv"
)

// WriteRun writes the results folder dir (creating it): config.json (config,
// indented), timeseries.csv, timeseries_by_key.csv, one .hgrm file per
// metric, histograms.hlog and, last, summary.json. Every file is written atomically. A nil sum is computed
// from s with default options.
func WriteRun(dir string, s *Shard, sum *Summary, config any) error {
	if s == nil {
		return fmt.Errorf("write run %s: nil shard", dir)
	}
	if sum == nil {
		sum = Summarize(s, SummaryOptions{})
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write run: %w", err)
	}
	if err := writeJSON(filepath.Join(dir, ConfigFile), config); err != nil {
		return err
	}
	header := append([]string{"t_s"}, s.Columns...)
	if err := WriteCSV(filepath.Join(dir, TimeseriesFile), header, timeseriesRows(s)); err != nil {
		return err
	}
	if err := WriteCSV(filepath.Join(dir, KeySeriesFile), keySeriesHeader, keySeriesRows(s)); err != nil {
		return err
	}
	for _, m := range measure.Metrics() {
		switch m.Def().File {
		case measure.FileNever:
			continue
		case measure.FileWhenRecorded:
			// The message latencies get a file when the run had such messages.
			if h := s.cumulative(m); h == nil || h.TotalCount() == 0 {
				continue
			}
		}
		if err := writeHgrm(dir, s, m); err != nil {
			return err
		}
	}
	if err := writeHlog(dir, s); err != nil {
		return err
	}
	return writeJSON(filepath.Join(dir, SummaryFile), sum)
}

// ReadSummary reads summary.json from the results folder dir and checks
// that it is one (Summary.Validate). A summary written before the format
// field existed is read as format 1.
func ReadSummary(dir string) (*Summary, error) {
	path := filepath.Join(dir, SummaryFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read summary: %w", err)
	}
	sum, err := decodeSummary(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return sum, nil
}

// decodeSummary parses summary.json and validates it.
func decodeSummary(b []byte) (*Summary, error) {
	var sum Summary
	if err := json.Unmarshal(b, &sum); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if sum.Format == 0 {
		sum.Format = 1
	}
	if err := sum.Validate(); err != nil {
		return nil, err
	}
	return &sum, nil
}

// writeJSON writes v as indented JSON to path, atomically.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Base(path), err)
	}
	return WriteFileAtomic(path, append(b, '\n'))
}
