package compare

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/stormbench/stormbench/reporter"
)

// Run is one results folder.
type Run struct {
	// Dir is the results folder.
	Dir string
	// Summary is its summary.json.
	Summary *reporter.Summary
}

// Group is one setting and its repeats.
type Group struct {
	// Label names the setting: a sweep's label, or a run folder's name.
	Label string
	Runs  []Run
	// Skipped counts runs of the group left out: partial, failed or not
	// run yet.
	Skipped int
}

// Load reads dirs, each a run folder or a sweep folder, into groups in
// the order given (a sweep's groups in its own order). A run folder is a
// group of its own, labelled by its folder name; runs of two sweeps with
// the same label stay apart (labelled "sweep/label").
func Load(dirs []string) ([]Group, error) {
	var out []Group
	sweeps := 0
	for _, d := range dirs {
		if reporter.IsSweep(d) {
			sweeps++
		}
	}
	for _, d := range dirs {
		fi, err := os.Stat(d)
		if err != nil {
			return nil, fmt.Errorf("compare: %w", err)
		}
		if !fi.IsDir() {
			return nil, fmt.Errorf("compare: %s is not a folder", d)
		}
		if reporter.IsSweep(d) {
			gs, err := loadSweep(d, sweeps > 1)
			if err != nil {
				return nil, err
			}
			out = append(out, gs...)
			continue
		}
		sum, err := reporter.ReadSummary(d)
		if err != nil {
			return nil, fmt.Errorf("compare: %s is neither a run folder nor a sweep folder: %w", d, err)
		}
		out = append(out, Group{Label: filepath.Base(filepath.Clean(d)), Runs: []Run{{Dir: d, Summary: sum}}})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("compare: nothing to compare")
	}
	return out, nil
}

// loadSweep reads a sweep's complete runs, grouped by label.
func loadSweep(dir string, prefix bool) ([]Group, error) {
	m, err := reporter.ReadSweep(dir)
	if err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	var out []Group
	index := map[string]int{}
	for _, r := range m.Runs {
		label := r.Label
		if prefix {
			label = filepath.Base(filepath.Clean(dir)) + "/" + label
		}
		i, ok := index[label]
		if !ok {
			i = len(out)
			index[label] = i
			out = append(out, Group{Label: label})
		}
		if r.Status != reporter.SweepComplete {
			out[i].Skipped++
			continue
		}
		rd := filepath.Join(dir, r.Dir)
		sum, err := reporter.ReadSummary(rd)
		if err != nil {
			return nil, fmt.Errorf("compare: run %s of sweep %s: %w", r.Dir, dir, err)
		}
		out[i].Runs = append(out[i].Runs, Run{Dir: rd, Summary: sum})
	}
	return out, nil
}

// FindGroup returns the index of the group that holds the run folder dir
// (or is labelled dir).
func FindGroup(groups []Group, dir string) (int, error) {
	clean := filepath.Clean(dir)
	for i, g := range groups {
		if g.Label == dir {
			return i, nil
		}
		for _, r := range g.Runs {
			if filepath.Clean(r.Dir) == clean {
				return i, nil
			}
		}
	}
	return 0, fmt.Errorf("%s is none of the compared runs or settings", dir)
}

// Complete returns the groups that have at least one run: a sweep's
// settings whose runs are all pending, partial or failed have nothing to
// compare.
func Complete(groups []Group) []Group {
	var out []Group
	for _, g := range groups {
		if len(g.Runs) > 0 {
			out = append(out, g)
		}
	}
	return out
}
