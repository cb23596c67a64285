package compare

import (
	"math"
	"slices"

	"github.com/stormbench/stormbench/reporter"
)

// Stat is a figure over a group's runs.
type Stat struct {
	// N is how many runs had the figure; Missing how many did not (a
	// recovery percentile not reached, a storm the run lacks).
	N, Missing int
	// Median, Min and Max over the N runs.
	Median, Min, Max float64
}

// OK reports whether any run had the figure.
func (s Stat) OK() bool { return s.N > 0 }

// Cell is one group's value in a row.
type Cell struct {
	Stat
	// Ratio is Median / the baseline's median, when both exist and the
	// baseline's is not zero.
	Ratio    float64
	HasRatio bool
	// Differs: this group's and the baseline's min–max ranges do not
	// overlap, both with at least two runs.
	Differs bool
	// Best: the best median of the row (lowest, or highest where higher is
	// better), when the medians differ.
	Best bool
}

// Row is one figure of one storm (Storm ≥ 0) or of the whole run (-1).
type Row struct {
	Storm  int
	Figure reporter.Figure
	Cells  []Cell
}

// Table is the comparison.
type Table struct {
	// Groups are the column labels; Runs how many runs each has.
	Groups []string
	Runs   []int
	// Baseline is the index of the group ratios are against.
	Baseline int
	Rows     []Row
}

// runFigures are the whole-run rows after the storm rows.
var runFigures = []reporter.Figure{reporter.FigHeartbeatBytesPerConnS, reporter.FigConnectP99, reporter.FigFailures, reporter.FigSaturated}

// Build computes the table of groups against groups[baseline].
func Build(groups []Group, baseline int) *Table {
	t := &Table{Baseline: baseline}
	storms := 0
	for _, g := range groups {
		t.Groups = append(t.Groups, g.Label)
		t.Runs = append(t.Runs, len(g.Runs))
		for _, r := range g.Runs {
			storms = max(storms, len(r.Summary.Storms))
		}
	}
	for k := 0; k < storms; k++ {
		for _, f := range reporter.Figures() {
			if !f.PerStorm() {
				continue
			}
			t.Rows = append(t.Rows, t.row(groups, k, f, func(s *reporter.Summary) (float64, bool) {
				if k >= len(s.Storms) {
					return 0, false
				}
				return f.StormValue(&s.Storms[k])
			}))
		}
	}
	for _, f := range runFigures {
		t.Rows = append(t.Rows, t.row(groups, -1, f, func(s *reporter.Summary) (float64, bool) {
			v, ok, _ := f.RunValue(s)
			return v, ok
		}))
	}
	return t
}

// row computes one row.
func (t *Table) row(groups []Group, storm int, f reporter.Figure, value func(*reporter.Summary) (float64, bool)) Row {
	row := Row{Storm: storm, Figure: f, Cells: make([]Cell, len(groups))}
	for i, g := range groups {
		var vs []float64
		missing := 0
		for _, r := range g.Runs {
			if v, ok := value(r.Summary); ok {
				vs = append(vs, v)
			} else {
				missing++
			}
		}
		row.Cells[i].Stat = stat(vs, missing)
	}
	base := row.Cells[t.Baseline]
	best, bestAt, distinct := 0.0, -1, false
	for i := range row.Cells {
		c := &row.Cells[i]
		if !c.OK() {
			continue
		}
		if base.OK() && base.Median != 0 {
			c.Ratio, c.HasRatio = c.Median/base.Median, true
		}
		if i != t.Baseline && c.N >= 2 && base.N >= 2 && (c.Max < base.Min || c.Min > base.Max) {
			c.Differs = true
		}
		if bestAt >= 0 && c.Median != best {
			distinct = true
		}
		if bestAt < 0 || (f.HigherIsBetter() && c.Median > best) || (!f.HigherIsBetter() && c.Median < best) {
			best, bestAt = c.Median, i
		}
	}
	if distinct {
		for i := range row.Cells {
			if row.Cells[i].OK() && row.Cells[i].Median == best {
				row.Cells[i].Best = true
			}
		}
	}
	return row
}

// stat is the median and range of vs.
func stat(vs []float64, missing int) Stat {
	s := Stat{N: len(vs), Missing: missing}
	if len(vs) == 0 {
		return s
	}
	vs = slices.Clone(vs)
	slices.Sort(vs)
	s.Min, s.Max = vs[0], vs[len(vs)-1]
	if n := len(vs); n%2 == 1 {
		s.Median = vs[n/2]
	} else {
		s.Median = (vs[n/2-1] + vs[n/2]) / 2
	}
	if math.IsNaN(s.Median) {
		s.Median = 0
	}
	return s
}
