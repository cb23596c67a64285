package reporter

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// SweepFile is the manifest of a sweep folder: what was swept and where
// each run's results folder is.
const SweepFile = "sweep.json"

// SweepManifest is the content of sweep.json.
type SweepManifest struct {
	// Format is the version of this layout (1).
	Format int `json:"format"`
	// Name is the sweep's name, part of its folder's name.
	Name string `json:"name"`
	// Command is the sweep's command line (secrets redacted).
	Command []string `json:"command"`
	// Started is when the sweep began.
	Started time.Time `json:"started"`
	// Axes are the swept flags and their values, in the order given; the
	// runs are their cross product, the first axis varying slowest.
	Axes []SweepAxis `json:"axes"`
	// Repeat is how many times each combination runs (seeds Seed, Seed+1, …).
	Repeat int `json:"repeat"`
	// Seed is the first repeat's seed.
	Seed uint64 `json:"seed"`
	// Runs are every run of the sweep, in the order they run.
	Runs []SweepRun `json:"runs"`
}

// SweepAxis is one swept flag.
type SweepAxis struct {
	Flag   string   `json:"flag"`
	Values []string `json:"values"`
}

// SweepRun is one run of a sweep.
type SweepRun struct {
	// Label names the combination by the settings that differ
	// ("jitter=none"); repeats share it.
	Label string `json:"label"`
	// Settings are the swept flags' values of this run.
	Settings map[string]string `json:"settings"`
	// Repeat is 1-based.
	Repeat int    `json:"repeat"`
	Seed   uint64 `json:"seed"`
	// Dir is the run's results folder, relative to the sweep folder.
	Dir string `json:"dir"`
	// Status is pending, complete, partial (written but incomplete:
	// interrupted or a harness failure) or failed (no results).
	Status string `json:"status"`
	// Error says why a run is partial or failed.
	Error string `json:"error,omitempty"`
}

// Sweep run states.
const (
	SweepPending  = "pending"
	SweepComplete = "complete"
	SweepPartial  = "partial"
	SweepFailed   = "failed"
)

// WriteSweep writes dir/sweep.json atomically.
func WriteSweep(dir string, m *SweepManifest) error {
	return writeJSON(filepath.Join(dir, SweepFile), m)
}

// ReadSweep reads dir/sweep.json.
func ReadSweep(dir string) (*SweepManifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, SweepFile))
	if err != nil {
		return nil, fmt.Errorf("read sweep: %w", err)
	}
	var m SweepManifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: decode: %w", filepath.Join(dir, SweepFile), err)
	}
	if m.Format != 1 || m.Repeat < 1 {
		return nil, fmt.Errorf("%s: not a sweep manifest of format 1", filepath.Join(dir, SweepFile))
	}
	return &m, nil
}

// IsSweep reports whether dir holds a sweep manifest.
func IsSweep(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, SweepFile))
	return err == nil
}
