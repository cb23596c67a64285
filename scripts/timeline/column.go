package main

// column is a timeseries.csv column that timeline reads.
type column int

// The columns timeline reads; docs/results.md defines them.
const (
	colT          column = iota // end of the interval, seconds since the start
	colOpen                     // gauge at the interval's end
	colConnecting               // gauge at the interval's end
	colWaiting                  // gauge at the interval's end
	colAttempts                 // count within the interval
	colConnects                 // count within the interval
	colFailures                 // count within the interval
	nColumns
)

var columnNames = [nColumns]string{"t_s", "open", "connecting", "waiting", "attempts", "connects", "failures"}

// String returns the column's CSV header name.
func (c column) String() string {
	if c < 0 || c >= nColumns {
		return "unknown"
	}
	return columnNames[c]
}

// names returns the header names of cols.
func names(cols []column) []string {
	s := make([]string, len(cols))
	for i, c := range cols {
		s[i] = c.String()
	}
	return s
}
