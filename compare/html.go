package compare

import "github.com/stormbench/stormbench/htmlreport"

// HTML returns the table as report.html shows it: one row per figure
// ("storm 1 · recovery_p99"), the cells as the text table writes them,
// best and non-overlapping cells marked.
func (t *Table) HTML() htmlreport.Table {
	out := htmlreport.Table{Columns: append([]string{"figure"}, t.header()...)}
	for _, r := range t.Rows {
		row := htmlreport.Row{Label: r.section() + " · " + r.rowName()}
		for i, c := range r.Cells {
			row.Cells = append(row.Cells, htmlreport.Cell{Text: CellText(r.Figure, c, i == t.Baseline), Best: c.Best, Differs: c.Differs})
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}
