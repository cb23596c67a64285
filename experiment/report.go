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
		return writeSweepReport(dir)
	}
	return htmlreport.WriteRun(dir)
}

// writeSweepReport writes a sweep's comparison page: the comparison of its
// complete runs, their overlaid charts, and its runs' warnings.
func writeSweepReport(dir string) error {
	m, err := reporter.ReadSweep(dir)
	if err != nil {
		return err
	}
	groups, err := compare.Load([]string{dir})
	if err != nil {
		return err
	}
	var kept []compare.Group
	var cg []charts.Group
	for _, g := range groups {
		if len(g.Runs) == 0 {
			continue
		}
		kept = append(kept, g)
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
	if len(kept) == 0 {
		return fmt.Errorf("report %s: no complete run to compare", dir)
	}
	return htmlreport.WriteComparison(dir, "stormbench sweep "+m.Name, cg, compare.Build(kept, 0).HTML())
}
