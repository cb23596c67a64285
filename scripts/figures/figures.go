package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"
)

// figure is one column of the output.
type figure int

const (
	figClients figure = iota
	figRampS
	figRampRate
	figRampPhaseS
	figPeakAttempts
	figPeakConnects
	figRecoveryP50
	figRecoveryP99
	figRecoveryP100
	figStormLatenessP99
	figPeakRSSMiB
	figRSSPerClient
	nFigures
)

var figureNames = [nFigures]string{
	"clients", "ramp s", "ramp conn/s", "ramp phase s", "peak att/s", "peak conn/s (100 ms ×10)",
	"recov p50 ms", "recov p99 ms", "recov p100 ms", "storm late p99 ms", "peak RSS MiB", "RSS B/client",
}

// String returns the column's header.
func (f figure) String() string {
	if f < 0 || f >= nFigures {
		return "unknown"
	}
	return figureNames[f]
}

// figures holds one folder's values; NaN where the run does not have one
// (no storm, a recovery quantile never reached).
type figures [nFigures]float64

type summaryFile struct {
	IntervalS float64 `json:"interval_s"`
	Storms    []struct {
		T0         float64 `json:"t0"`
		End        float64 `json:"end"`
		PeakAtt    float64 `json:"peak_attempts_per_s"`
		RecoveryMs struct {
			P50  *float64 `json:"p50"`
			P99  *float64 `json:"p99"`
			P100 *float64 `json:"p100"`
		} `json:"recovery_ms"`
	} `json:"storms"`
	Harness struct {
		Phases []struct {
			Name            string  `json:"name"`
			StartS          float64 `json:"start_s"`
			EndS            float64 `json:"end_s"`
			TimerLatenessMs struct {
				P99 float64 `json:"p99"`
			} `json:"timer_lateness_ms"`
		} `json:"phases"`
		PeakRSSBytes float64 `json:"peak_rss_bytes"`
	} `json:"harness"`
}

type configFile struct {
	Loadgen struct {
		Clients  int           `json:"clients"`
		Interval time.Duration `json:"interval"`
	} `json:"loadgen"`
}

// load computes a results folder's figures.
func load(dir string) (figures, error) {
	var f figures
	for i := range f {
		f[i] = math.NaN()
	}
	var sum summaryFile
	var cfg configFile
	if err := readJSON(filepath.Join(dir, "summary.json"), &sum); err != nil {
		return f, err
	}
	if err := readJSON(filepath.Join(dir, "config.json"), &cfg); err != nil {
		return f, err
	}
	fh, err := os.Open(filepath.Join(dir, "timeseries.csv"))
	if err != nil {
		return f, err
	}
	defer fh.Close()
	rows, err := readSeries(fh)
	if err != nil {
		return f, fmt.Errorf("%s: %w", fh.Name(), err)
	}
	dt := sum.IntervalS
	if dt <= 0 {
		dt = cfg.Loadgen.Interval.Seconds()
	}
	if dt <= 0 {
		return f, fmt.Errorf("%s: no interval in summary.json or config.json", dir)
	}
	n := float64(cfg.Loadgen.Clients)
	f[figClients] = n
	first, open := math.NaN(), math.NaN()
	for _, r := range rows {
		if math.IsNaN(first) && r[colAttempts] > 0 {
			first = r[colT] - dt
		}
		if r[colOpen] >= n && n > 0 {
			open = r[colT]
			break
		}
	}
	if !math.IsNaN(first) && !math.IsNaN(open) && open > first {
		f[figRampS] = open - first
		f[figRampRate] = n / (open - first)
	}
	for _, p := range sum.Harness.Phases {
		if p.Name == "ramp" && p.EndS > p.StartS {
			f[figRampPhaseS] = p.EndS - p.StartS
		}
	}
	if len(sum.Storms) > 0 {
		st := sum.Storms[0]
		f[figPeakAttempts] = st.PeakAtt
		peak := 0.0
		for _, r := range rows {
			if r[colT] > st.T0 && r[colT]-dt < st.End {
				peak = max(peak, r[colConnects])
			}
		}
		f[figPeakConnects] = peak / dt
		f[figRecoveryP50] = orNaN(st.RecoveryMs.P50)
		f[figRecoveryP99] = orNaN(st.RecoveryMs.P99)
		f[figRecoveryP100] = orNaN(st.RecoveryMs.P100)
		for _, p := range sum.Harness.Phases {
			if p.Name == "storm-1" {
				f[figStormLatenessP99] = p.TimerLatenessMs.P99
			}
		}
	}
	if rss := sum.Harness.PeakRSSBytes; rss > 0 {
		f[figPeakRSSMiB] = rss / (1 << 20)
		if n > 0 {
			f[figRSSPerClient] = rss / n
		}
	}
	return f, nil
}

func orNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
