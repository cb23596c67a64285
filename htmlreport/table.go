package htmlreport

// Table is a comparison table supplied by the caller (the compare
// command): one row per figure, one column per setting.
type Table struct {
	// Columns names the cell columns, one per Cell of a row, usually the
	// settings with the baseline first. If it has one name more than the
	// longest row has cells, the first names the label column.
	Columns []string
	// Rows are the table's rows, in order.
	Rows []Row
}

// Row is one figure compared across settings.
type Row struct {
	// Label names the figure, with its unit ("recovery p99 (s)").
	Label string
	// Cells are the values, one per column.
	Cells []Cell
}

// Cell is one value of the table.
type Cell struct {
	// Text is the value as displayed ("1.24 s (1.20–1.31)", "×0.42").
	Text string
	// Best marks the best value of its row; it is shown in bold.
	Best bool
	// Differs marks a value whose interval does not overlap the
	// baseline's; it is shown with a marker explained under the table.
	Differs bool
}

// headers returns the label column's name and the cell columns'
// names of t, each cell column named (empty names where t gives none).
func (t Table) headers() (label string, cols []string) {
	n := 0
	for _, r := range t.Rows {
		n = max(n, len(r.Cells))
	}
	cols = t.Columns
	if len(cols) == n+1 {
		label, cols = cols[0], cols[1:]
	}
	for len(cols) < n {
		cols = append(cols, "")
	}
	return label, cols
}
