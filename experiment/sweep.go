package experiment

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/stormbench/stormbench/compare"
	"github.com/stormbench/stormbench/reporter"
)

// SweepSpec is a sweep ready to run: its folder, its manifest (every run
// pending or, when resuming, as the last attempt left it) and one plan per
// run of the manifest, in the same order.
type SweepSpec struct {
	// Dir is the sweep folder.
	Dir string
	// Manifest lists the runs; Sweep updates it as they finish.
	Manifest *reporter.SweepManifest
	// Plans are the runs' plans, Plans[i] for Manifest.Runs[i].
	Plans []*Plan
	// Progress receives one line per run (run i of n, ETA) and its outcome.
	Progress io.Writer
}

// SweepResult is what a sweep did.
type SweepResult struct {
	// Dir is the sweep folder.
	Dir string
	// Table is the comparison of the complete runs (nil when none is).
	Table *compare.Table
	// Groups are the complete runs by setting, for charts and reports.
	Groups []compare.Group
	// Broken lists the runs that broke a threshold ("label r1: recovery_p99<10s measured 12.1s").
	Broken []string
	// Failed counts runs without complete results.
	Failed int
}

// ErrSweepRuns reports a sweep in which some runs could not be carried out.
var ErrSweepRuns = errors.New("sweep: some runs have no complete results")

// Sweep runs every pending run of s one at a time (each with a fresh
// embedded server, when it has one), skipping runs already complete;
// after each it records the run's status in sweep.json; at the end, or
// when ctx is cancelled (the run in progress writes its partial results
// first), it writes the comparison of the complete runs:
// comparison.{md,csv,json}.
func Sweep(ctx context.Context, s SweepSpec) (*SweepResult, error) {
	m := s.Manifest
	if len(s.Plans) != len(m.Runs) {
		return nil, fmt.Errorf("sweep: %d plans for %d runs", len(s.Plans), len(m.Runs))
	}
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	if err := reporter.WriteSweep(s.Dir, m); err != nil {
		return nil, err
	}
	res := &SweepResult{Dir: s.Dir}
	todo := 0
	for _, r := range m.Runs {
		if r.Status != reporter.SweepComplete {
			todo++
		}
	}
	start := time.Now()
	done := 0
	var runErr error
	for i := range m.Runs {
		r := &m.Runs[i]
		if r.Status == reporter.SweepComplete {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		eta := "ETA —"
		if done > 0 {
			left := time.Duration(float64(time.Since(start)) / float64(done) * float64(todo-done))
			eta = "ETA " + left.Round(time.Second).String()
		}
		fmt.Fprintf(s.Progress, "sweep: run %d of %d (%d to do): %s, repeat %d, seed %d; elapsed %s, %s\n",
			i+1, len(m.Runs), todo-done, r.Label, r.Repeat, r.Seed, time.Since(start).Round(time.Second), eta)
		p := s.Plans[i]
		p.Dir = filepath.Join(s.Dir, r.Dir)
		if err := setAside(p.Dir); err != nil {
			return res, err
		}
		out, err := Run(ctx, p)
		done++
		r.Status, r.Error = outcome(out, err)
		if out != nil && out.Summary != nil {
			sum := out.Summary
			line := "  → " + r.Status
			if len(sum.Storms) > 0 {
				st := sum.Storms[0]
				line += fmt.Sprintf(": storm 1 recovered %d of %d, peak %.0f attempts/s", st.Recovered, st.Affected, st.PeakAttemptsPerS)
				if v, ok := reporter.FigRecoveryP99.StormValue(&st); ok {
					line += ", recovery p99 " + reporter.FormatFigure(reporter.FigRecoveryP99, v)
				}
			}
			fmt.Fprintln(s.Progress, line)
			for _, t := range sum.BrokenThresholds() {
				res.Broken = append(res.Broken, fmt.Sprintf("%s (%s): %s measured %s", r.Label, r.Dir, t.Threshold, t.Measured))
			}
		} else if err != nil {
			fmt.Fprintf(s.Progress, "  → %s: %v\n", r.Status, err)
		}
		if werr := reporter.WriteSweep(s.Dir, m); werr != nil {
			return res, werr
		}
		if errors.Is(err, ErrInterrupted) {
			runErr = err
			break
		}
	}
	for _, r := range m.Runs {
		if r.Status != reporter.SweepComplete {
			res.Failed++
		}
	}
	if err := writeComparison(s.Dir, res); err != nil {
		return res, err
	}
	if res.Table != nil {
		if err := writeSweepReport(s.Dir, res.Groups, res.Table); err != nil {
			fmt.Fprintf(s.Progress, "sweep: report.html: %v\n", err)
		}
	}
	if runErr == nil && ctx.Err() != nil {
		runErr = ErrInterrupted
	}
	if runErr == nil && res.Failed > 0 {
		runErr = fmt.Errorf("%w: %d of %d (see sweep.json)", ErrSweepRuns, res.Failed, len(m.Runs))
	}
	return res, runErr
}

// outcome is a run's status in the manifest.
func outcome(out *Result, err error) (string, string) {
	switch {
	case errors.Is(err, ErrInterrupted) && (out == nil || out.Summary == nil):
		return reporter.SweepPending, "" // stopped before it measured anything
	case out != nil && out.Summary != nil && err == nil && !out.Summary.Partial:
		return reporter.SweepComplete, ""
	case out != nil && out.Summary != nil:
		msg := "partial results"
		if err != nil {
			msg = err.Error()
		}
		return reporter.SweepPartial, msg
	case err != nil:
		return reporter.SweepFailed, err.Error()
	}
	return reporter.SweepFailed, "no results"
}

// setAside renames what an earlier, unfinished attempt left in dir, so
// that a resumed sweep neither mixes old files into a new run nor deletes
// them.
func setAside(dir string) error {
	if _, err := os.Stat(dir); err != nil {
		return nil
	}
	to := dir + ".incomplete-" + time.Now().Format("20060102-150405")
	if err := os.Rename(dir, to); err != nil {
		return fmt.Errorf("sweep: set aside the unfinished %s: %w", dir, err)
	}
	return nil
}

// writeComparison writes comparison.{md,csv,json} of the sweep's complete
// runs, when there is one.
func writeComparison(dir string, res *SweepResult) error {
	groups, err := compare.Load([]string{dir})
	if err != nil {
		return err
	}
	kept := compare.Complete(groups)
	if len(kept) == 0 {
		return nil
	}
	res.Groups = kept
	res.Table = compare.Build(kept, 0)
	for _, f := range []struct {
		name string
		f    compare.Format
	}{{"comparison.md", compare.FormatMarkdown}, {"comparison.csv", compare.FormatCSV}, {"comparison.json", compare.FormatJSON}} {
		var b bytes.Buffer
		if err := res.Table.Write(&b, f.f); err != nil {
			return err
		}
		if err := reporter.WriteFileAtomic(filepath.Join(dir, f.name), b.Bytes()); err != nil {
			return err
		}
	}
	return nil
}
