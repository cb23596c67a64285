package htmlreport

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/stormbench/stormbench/charts"
)

// comparisonPage is what the comparison template shows.
type comparisonPage struct {
	Style       string
	Title       string
	Status      []runStatus
	Saturated   int
	Partial     int
	RunCount    int
	Shared      []pair
	LabelHeader string
	Columns     []string
	Rows        []tableRow
	Runs        []runLine
	Figures     []figureView
}

// Alarm reports whether the page must open with a warning.
func (p comparisonPage) Alarm() bool { return p.Saturated > 0 || p.Partial > 0 }

// Remedies lists the distinct remedies of the runs' saturated phases:
// they repeat from run to run, and once each is enough.
func (p comparisonPage) Remedies() []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range p.Status {
		for _, v := range s.Status.Warnings() {
			if v.Remedy != "" && !seen[v.Remedy] {
				seen[v.Remedy] = true
				out = append(out, v.Remedy)
			}
		}
	}
	return out
}

// tableRow is a row of the comparison table, padded to every column.
type tableRow struct {
	Label string
	Cells []Cell
}

// runLine is one run in the list of runs: which setting and repeat, its
// folder (as text: the page links to nothing) and its headline figures.
type runLine struct {
	Label     string
	Repeat    string
	Folder    string
	Recovered string
	P99       string
	Peak      string
	Flags     string
}

// runStatus is the warning block of one run that is saturated or partial.
type runStatus struct {
	Who    string
	Folder string
	Status statusView
}

// WriteComparison writes dir/report.html for a comparison folder (a sweep
// or the output of compare) and (re)writes its overlaid charts under
// dir/plots/: title, the runs' saturation and partial-result warnings at
// the top, the settings all runs share, table (supplied by the caller:
// Best cells bold, Differs cells marked, with a legend), the list of runs
// by setting and repeat with their folder names, and the charts. Like
// WriteRun the page is self-contained and links to nothing.
func WriteComparison(dir string, title string, groups []charts.Group, table Table) error {
	if len(groups) == 0 {
		return errors.New("comparison report: no groups")
	}
	cs, err := charts.WriteComparisonCharts(groups, filepath.Join(dir, plotsDir))
	if err != nil {
		return fmt.Errorf("comparison report %s: %w", dir, err)
	}
	figs, err := figures(cs)
	if err != nil {
		return fmt.Errorf("comparison report %s: %w", dir, err)
	}
	p := comparisonPage{Style: style, Title: title, Figures: figs, Shared: shared(groups)}
	p.LabelHeader, p.Columns = table.headers()
	for _, r := range table.Rows {
		cells := append([]Cell(nil), r.Cells...)
		for len(cells) < len(p.Columns) {
			cells = append(cells, Cell{})
		}
		p.Rows = append(p.Rows, tableRow{Label: r.Label, Cells: cells})
	}
	for _, g := range groups {
		for i, r := range g.Runs {
			p.RunCount++
			who := g.Label
			rep := fmt.Sprintf("%d of %d", i+1, len(g.Runs))
			if len(g.Runs) > 1 {
				who = fmt.Sprintf("%s, repeat %d", g.Label, i+1)
			}
			folder := relFolder(dir, r.Dir)
			p.Runs = append(p.Runs, lineOf(g.Label, rep, folder, r))
			st := status(r.Summary)
			if st.Saturated {
				p.Saturated++
			}
			if st.Partial || st.Interrupted {
				p.Partial++
			}
			if st.Alarm() {
				p.Status = append(p.Status, runStatus{Who: who, Folder: folder, Status: st})
			}
		}
	}
	if err := render(dir, "comparison.html.tmpl", p); err != nil {
		return fmt.Errorf("comparison report %s: %w", dir, err)
	}
	return nil
}

// lineOf summarises run r of the list of runs.
func lineOf(label, repeat, folder string, r *charts.Run) runLine {
	l := runLine{Label: label, Repeat: repeat, Folder: folder, Recovered: dash, P99: dash, Peak: dash}
	if len(r.Summary.Storms) > 0 {
		st := r.Summary.Storms[0]
		if !st.Incomplete {
			l.Recovered = percent(st.Recovered, st.Affected)
		}
		if st.RecoveryMs != nil {
			l.P99 = msPtr(st.RecoveryMs.P99)
		}
		l.Peak = rate(st.PeakAttemptsPerS)
	}
	var flags []string
	if r.Summary.Harness.Saturated {
		flags = append(flags, "saturated")
	}
	if r.Summary.Partial || r.Summary.Interrupted {
		flags = append(flags, "partial")
	}
	l.Flags = strings.Join(flags, ", ")
	return l
}

// relFolder names a run's folder relative to the comparison folder when
// it lies inside it (a sweep's runs), else by its own name.
func relFolder(dir, run string) string {
	if rel, err := filepath.Rel(dir, run); err == nil && !strings.HasPrefix(rel, "..") && rel != "." {
		return filepath.ToSlash(rel)
	}
	return filepath.Base(filepath.Clean(run))
}

// shared lists the settings whose value is the same in every run.
func shared(groups []charts.Group) []pair {
	var runs []*charts.Run
	for _, g := range groups {
		runs = append(runs, g.Runs...)
	}
	if len(runs) == 0 {
		return nil
	}
	var out []pair
	for _, s := range runs[0].Settings {
		if s.Name == "run id" || s.Name == "seed" {
			continue // differ by design between runs and repeats
		}
		same := true
		for _, r := range runs[1:] {
			same = same && r.Settings.Get(s.Name) == s.Value
		}
		if same {
			out = append(out, pair{s.Name, s.Value})
		}
	}
	return out
}
