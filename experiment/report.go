package experiment

import (
	"fmt"

	"github.com/stormbench/stormbench/charts"
	"github.com/stormbench/stormbench/compare"
	"github.com/stormbench/stormbench/htmlreport"
	"github.com/stormbench/stormbench/reporter"
)

// WriteReport (re)writes the charts (plots/) and report.html of a run's
// results folder or of a sweep folder, from the files alone: it works on
// folders from other machines and older versions.
func WriteReport(dir string) error {
	if reporter.IsSweep(dir) {
		groups, err := compare.Load([]string{dir})
		if err != nil {
			return err
		}
		kept := compare.Complete(groups)
		if len(kept) == 0 {
			return fmt.Errorf("report %s: no complete run to compare", dir)
		}
		return writeSweepReport(dir, kept, compare.Build(kept, 0))
	}
	return htmlreport.WriteRun(dir)
}

// writeRunReport draws the charts (plots/) and report.html of the run
// whose files were just written to dir. Failing to draw them costs no
// figure: it returns a warning, "" when all went well.
func writeRunReport(dir string) string {
	if err := htmlreport.WriteRun(dir); err != nil {
		return fmt.Sprintf("report.html: %v", err)
	}
	return ""
}

// writeSweepReport writes a sweep's comparison page from its complete
// runs (groups, already loaded) and their comparison: the table, their
// overlaid charts, and the runs' warnings.
func writeSweepReport(dir string, groups []compare.Group, table *compare.Table) error {
	m, err := reporter.ReadSweep(dir)
	if err != nil {
		return err
	}
	var cg []charts.Group
	for _, g := range groups {
		c := charts.Group{Label: g.Label}
		for _, r := range g.Runs {
			run, err := charts.Load(r.Dir)
			if err != nil {
				return err
			}
			c.Runs = append(c.Runs, run)
		}
		cg = append(cg, c)
	}
	return htmlreport.WriteComparison(dir, "stormbench sweep "+m.Name, cg, table.HTML())
}
