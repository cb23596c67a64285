package reporter

import "github.com/stormbench/stormbench/internal/measure"

// columns returns the names of the series columns, t_s excluded, in the
// order shards and timeseries.csv hold them (measure.Column order).
func columns() []string {
	out := make([]string, measure.NumColumns)
	for c := range out {
		out[c] = measure.Column(c).String()
	}
	return out
}

// kindsOf returns the kinds of a shard's columns, by name as the shard
// read from disk gives them; an unknown name counts.
func kindsOf(names []string) []measure.Kind {
	out := make([]measure.Kind, len(names))
	for i, n := range names {
		if c, ok := measure.ColumnByName(n); ok {
			out[i] = c.Kind()
		}
	}
	return out
}

// columnKinds returns the kind of every column, in column order.
func columnKinds() []measure.Kind {
	out := make([]measure.Kind, measure.NumColumns)
	for c := range out {
		out[c] = measure.Column(c).Kind()
	}
	return out
}

// TimeseriesHeader returns the header row of timeseries.csv.
func TimeseriesHeader() []string {
	return append([]string{"t_s"}, columns()...)
}
