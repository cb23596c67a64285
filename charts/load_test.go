package charts

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name        string
		dir         string
		missing     []string
		server      bool
		hists       []string
		settings    map[string]string
		seriesRows  int
		stormsCount int
	}{
		{
			name: "run with the embedded server's files", dir: fxFull, server: true,
			hists: []string{MetricConnect, MetricDetect, MetricOutage},
			settings: map[string]string{
				"fault":     "restart (1s)",
				"reconnect": "full jitter (base 1s, max 30s)",
				"clients":   "500",
				"heartbeat": "ws-ping every 5s, timeout 15s",
				"server":    "embedded",
			},
			seriesRows: 139, stormsCount: 1,
		},
		{
			name: "missing optional files", dir: fxMissing,
			missing:    []string{"config.json", fxServerFile, "detect_latency.hgrm"},
			hists:      []string{MetricConnect, MetricOutage},
			seriesRows: 139, stormsCount: 1,
		},
		{
			name: "partial run", dir: fxPartial, missing: []string{fxServerFile},
			hists:       []string{MetricConnect, MetricDetect, MetricOutage},
			settings:    map[string]string{"reconnect": "none jitter (base 1s, max 30s)"},
			stormsCount: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := load(t, tc.dir)
			if !slices.Equal(r.Missing, tc.missing) {
				t.Errorf("Missing = %q, want %q", r.Missing, tc.missing)
			}
			if (r.Server != nil) != tc.server {
				t.Errorf("server series present = %v, want %v", r.Server != nil, tc.server)
			}
			var hists []string
			for _, m := range histMetrics {
				if r.Hists[m] != nil {
					hists = append(hists, m)
				}
			}
			if !slices.Equal(hists, tc.hists) {
				t.Errorf("hists = %q, want %q", hists, tc.hists)
			}
			for k, v := range tc.settings {
				if got := r.Settings.Get(k); got != v {
					t.Errorf("setting %s = %q, want %q", k, got, v)
				}
			}
			if tc.seriesRows > 0 && r.Series.Len() != tc.seriesRows {
				t.Errorf("series rows = %d, want %d", r.Series.Len(), tc.seriesRows)
			}
			if len(r.Summary.Storms) != tc.stormsCount {
				t.Errorf("storms = %d, want %d", len(r.Summary.Storms), tc.stormsCount)
			}
		})
	}
}

// The server's series is moved onto the run's clock by the difference of
// the two starts, so that its accepts line up with the clients' attempts.
func TestServerSeriesAligned(t *testing.T) {
	r := load(t, fxFull)
	sv := r.Server
	if !sv.Aligned {
		t.Fatal("server series not aligned although server.json has started_unix_ns")
	}
	start := time.Unix(0, 1795418351719113130)
	want := start.Sub(r.Summary.StartedAt).Seconds()
	if d := sv.OffsetS - want; d > 1e-9 || d < -1e-9 {
		t.Errorf("offset %v s, want %v s", sv.OffsetS, want)
	}
	if sv.T[0] != 0.1+want {
		t.Errorf("first server row at %v s, want %v s", sv.T[0], 0.1+want)
	}
	if sv.IntervalS != 0.1 {
		t.Errorf("server interval %v s, want 0.1 s (server.json interval_ms)", sv.IntervalS)
	}
	// Columns are found by name: the file's order does not matter.
	if _, ok := sv.Column("handshakes"); !ok {
		t.Error("no handshakes column")
	}
}

// A malformed file is an error that names the file; a missing optional
// one is not an error.
func TestLoadMalformed(t *testing.T) {
	tests := []struct {
		name  string
		file  string // file to break in a copy of the full fixture; "" = the malformed fixture as it is
		write string
		want  []string
	}{
		{name: "malformed fixture", want: []string{"outage.hgrm", "line 12"}},
		{name: "time series value", file: "timeseries.csv", write: "t_s,open\n0.1,abc\n", want: []string{"timeseries.csv", "line 2", "open"}},
		{name: "time series without t_s", file: "timeseries.csv", write: "time,open\n0.1,3\n", want: []string{"timeseries.csv", "no t_s column"}},
		{name: "time series short row", file: "timeseries.csv", write: "t_s,open\n0.1\n", want: []string{"timeseries.csv", "line 2"}},
		{name: "empty time series", file: "timeseries.csv", write: "", want: []string{"timeseries.csv", "no header"}},
		{name: "config not JSON", file: "config.json", write: "{", want: []string{"config.json"}},
		{name: "server.json not JSON", file: "server.json", write: "[1,", want: []string{"server.json"}},
		{name: "server series value", file: fxServerFile, write: "t_s,accepts\n0.1,x\n", want: []string{fxServerFile, "line 2"}},
		{name: "hgrm without header", file: "detect_latency.hgrm", write: "1.0 0.5 3 2.0\n", want: []string{"detect_latency.hgrm", "header"}},
		{name: "hgrm percentiles falling", file: "connect_latency.hgrm", write: "Value Percentile TotalCount 1/(1-Percentile)\n1 0.5 1 2\n2 0.4 2 1.6\n", want: []string{"connect_latency.hgrm", "line 3"}},
		{name: "summary not a summary", file: "summary.json", write: `{"format": 2}`, want: []string{"summary.json"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := fixture(fxMalformed)
			if tc.file != "" {
				dir = copyFixture(t, fxFull)
				if err := os.WriteFile(filepath.Join(dir, tc.file), []byte(tc.write), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Load(dir)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
