package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Run is one stormbench run as timeline shows it.
type Run struct {
	// Label names the run in the table (A, B, … unless given).
	Label string
	// Path is the timeseries.csv read.
	Path string
	// Series is the run's time series.
	Series *Series
	// Probe holds SYN-SENT samples, nil when there is no syn_sent.csv.
	Probe *Probe
	// Summary is the run's summary.json, nil when absent.
	Summary *summaryFile
	// ConnectTimeout is the run's connect timeout in seconds, 0 when
	// config.json is absent.
	ConnectTimeout float64
	// T0 is the alignment instant in seconds since the run's start (0
	// unless HaveT0).
	T0 float64
	// HaveT0 says whether T0 was given.
	HaveT0 bool
}

// summaryFile is the part of summary.json timeline uses.
type summaryFile struct {
	StartedAt time.Time `json:"started_at"`
	Storms    []struct {
		T0  float64 `json:"t0"`
		End float64 `json:"end"`
	} `json:"storms"`
	Harness struct {
		Phases []phaseInfo `json:"phases"`
	} `json:"harness"`
}

// phaseInfo is one phase of summary.json's harness.phases.
type phaseInfo struct {
	Name            string  `json:"name"`
	StartS          float64 `json:"start_s"`
	EndS            float64 `json:"end_s"`
	TimerLatenessMs struct {
		P99 float64 `json:"p99"`
		Max float64 `json:"max"`
	} `json:"timer_lateness_ms"`
}

// configFile is the part of config.json timeline uses.
type configFile struct {
	Loadgen struct {
		ConnectTimeout time.Duration `json:"connect_timeout"`
	} `json:"loadgen"`
}

// splitArg splits "LABEL=PATH" (or a bare PATH, labelled def).
func splitArg(arg, def string) (label, path string) {
	if l, p, ok := strings.Cut(arg, "="); ok && l != "" && !strings.ContainsRune(l, os.PathSeparator) {
		return l, p
	}
	return def, arg
}

// loadRun reads a run from a results folder or its timeseries.csv, with
// whatever summary.json, config.json and syn_sent.csv sit next to it.
func loadRun(label, path string) (*Run, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, "timeseries.csv")
	}
	r := &Run{Label: label, Path: path}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if r.Series, err = ReadSeries(f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	dir := filepath.Dir(path)
	var sum summaryFile
	switch err := readJSON(filepath.Join(dir, "summary.json"), &sum); {
	case err == nil:
		r.Summary = &sum
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	var cfg configFile
	switch err := readJSON(filepath.Join(dir, "config.json"), &cfg); {
	case err == nil:
		r.ConnectTimeout = cfg.Loadgen.ConnectTimeout.Seconds()
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	if pf, err := os.Open(filepath.Join(dir, "syn_sent.csv")); err == nil {
		defer pf.Close()
		if r.Probe, err = ReadProbe(pf); err != nil {
			return nil, fmt.Errorf("%s: %w", pf.Name(), err)
		}
	}
	return r, nil
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
