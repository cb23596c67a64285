package charts

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/stormbench/stormbench/internal/measure"

	"github.com/stormbench/stormbench/reporter"
)

// Histogram files the charts draw, by metric name (the names of
// measure.ConnectLatency, measure.DetectLatency and measure.Outage, which
// name their .hgrm files).
var (
	MetricConnect = measure.ConnectLatency.String()
	MetricDetect  = measure.DetectLatency.String()
	MetricOutage  = measure.Outage.String()
)

// histMetrics are the .hgrm files Load reads.
var histMetrics = []string{MetricConnect, MetricDetect, MetricOutage}

// Run is one results folder as the charts and the HTML report need it.
// Only summary.json is required; the other files are optional, and what
// is missing is listed in Missing so that a report can say why a chart is
// absent.
type Run struct {
	// Dir is the results folder.
	Dir string
	// Summary is summary.json.
	Summary *reporter.Summary
	// Settings are the run's settings from config.json (none when it is
	// missing).
	Settings Settings
	// Command is the recorded command line (secrets redacted).
	Command []string
	// Series is timeseries.csv; nil when missing.
	Series *Series
	// Server is the server's time series on the run's clock; nil when the
	// folder has none (a server stormbench did not write).
	Server *ServerSeries
	// Hists holds the .hgrm files read, by metric name.
	Hists map[string]*Hist
	// Missing names the optional files the folder lacks.
	Missing []string
}

// Name returns the folder's name, which is how runs are told apart.
func (r *Run) Name() string { return filepath.Base(filepath.Clean(r.Dir)) }

// IntervalS returns the time series' row length in seconds.
func (r *Run) IntervalS() float64 {
	if r.Summary != nil && r.Summary.IntervalS > 0 {
		return r.Summary.IntervalS
	}
	if r.Series != nil {
		return r.Series.interval()
	}
	return 0
}

// Load reads the results folder dir: summary.json (required, validated),
// config.json, timeseries.csv, server.json with server_timeseries.csv, and
// the connect latency, detect latency and outage .hgrm files. A missing
// optional file is recorded in Run.Missing; a malformed file is an error
// that names it.
func Load(dir string) (*Run, error) {
	sum, err := reporter.ReadSummary(dir)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", dir, err)
	}
	r := &Run{Dir: dir, Summary: sum, Hists: map[string]*Hist{}}
	optional := func(name string, err error) error {
		if errors.Is(err, errNoFile) {
			r.Missing = append(r.Missing, name)
			return nil
		}
		if err != nil {
			return fmt.Errorf("load %s: %w", dir, err)
		}
		return nil
	}
	r.Settings, r.Command, err = readSettings(filepath.Join(dir, reporter.ConfigFile))
	if err := optional(reporter.ConfigFile, err); err != nil {
		return nil, err
	}
	r.Series, err = readSeries(filepath.Join(dir, reporter.TimeseriesFile))
	if err := optional(reporter.TimeseriesFile, err); err != nil {
		return nil, err
	}
	r.Server, err = readServer(dir, sum.StartedAt)
	if err := optional(serverSeriesFile, err); err != nil {
		return nil, err
	}
	for _, m := range histMetrics {
		h, err := readHgrm(filepath.Join(dir, m+".hgrm"), m)
		if err := optional(m+".hgrm", err); err != nil {
			return nil, err
		}
		if h != nil {
			r.Hists[m] = h
		}
	}
	return r, nil
}
