package htmlreport

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/stormbench/stormbench/charts"
)

// runPage is what the run template shows.
type runPage struct {
	Style    string
	Title    string
	Folder   string
	Started  string
	Duration string
	Status   statusView
	Settings []pair
	Command  string
	Storms   stormTable
	Totals   []pair
	Figures  []figureView
	Missing  []string
}

// WriteRun writes dir/report.html for the results folder dir and
// (re)writes its charts under dir/plots/. The page is self-contained:
// charts inline as SVG, CSS inline, nothing fetched from anywhere. It
// shows saturation and partial-result warnings first, then the settings,
// the per-storm summary, the run's totals and the charts. Only
// summary.json is required; a file the folder lacks is named on the page.
func WriteRun(dir string) error {
	r, err := charts.Load(dir)
	if err != nil {
		return fmt.Errorf("report %s: %w", dir, err)
	}
	cs, err := charts.WriteRunCharts(r, filepath.Join(dir, plotsDir))
	if err != nil {
		return fmt.Errorf("report %s: %w", dir, err)
	}
	figs, err := figures(cs)
	if err != nil {
		return fmt.Errorf("report %s: %w", dir, err)
	}
	sum := r.Summary
	p := runPage{
		Style:    style,
		Title:    "stormbench run " + r.Name(),
		Folder:   r.Name(),
		Started:  sum.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC"),
		Duration: seconds(sum.DurationS),
		Status:   status(sum),
		Settings: settingPairs(r.Settings),
		Command:  strings.Join(r.Command, " "),
		Storms:   storms(sum),
		Totals:   totals(sum),
		Figures:  figs,
		Missing:  r.Missing,
	}
	if err := render(dir, "run.html.tmpl", p); err != nil {
		return fmt.Errorf("report %s: %w", dir, err)
	}
	return nil
}

// settingPairs lists the run's settings for the settings table.
func settingPairs(s charts.Settings) []pair {
	out := make([]pair, 0, len(s))
	for _, x := range s {
		out = append(out, pair{x.Name, x.Value})
	}
	return out
}
