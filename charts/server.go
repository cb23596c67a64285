package charts

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Names of the server's files in a results folder.
const (
	serverFile       = "server.json"
	serverSeriesFile = "server_timeseries.csv"
)

// ServerSeries is the embedded server's own time series
// (server_timeseries.csv: accepts, handshakes, rejects, disconnects per
// interval, open), moved onto the run's clock.
type ServerSeries struct {
	*Series
	// OffsetS is what was added to the file's times (seconds since the
	// server started) to put them on the run's clock: the server's start
	// minus the run's.
	OffsetS float64
	// IntervalS is the length of one row in seconds.
	IntervalS float64
	// Aligned reports that server.json gave the server's start; without
	// it the server is assumed to have started with the run.
	Aligned bool
}

// serverInfo is the part of server.json the charts use.
type serverInfo struct {
	StartedUnixNs int64   `json:"started_unix_ns"`
	IntervalMs    float64 `json:"interval_ms"`
}

// readServer reads server_timeseries.csv from dir and aligns it with the
// run's start through server.json's started_unix_ns. It returns errNoFile
// when the folder has no server series.
func readServer(dir string, runStart time.Time) (*ServerSeries, error) {
	s, err := readSeries(filepath.Join(dir, serverSeriesFile))
	if err != nil {
		return nil, err
	}
	out := &ServerSeries{Series: s, IntervalS: s.interval()}
	path := filepath.Join(dir, serverFile)
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return out, nil
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var info serverInfo
	if err := json.Unmarshal(b, &info); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if info.IntervalMs > 0 {
		out.IntervalS = info.IntervalMs / 1000
	}
	if info.StartedUnixNs > 0 && !runStart.IsZero() {
		out.OffsetS = time.Unix(0, info.StartedUnixNs).Sub(runStart).Seconds()
		out.Aligned = true
		s.shift(out.OffsetS)
	}
	return out, nil
}
