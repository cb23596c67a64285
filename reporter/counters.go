package reporter

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/stormbench/stormbench/internal/measure"
)

// Counters are the totals of a run: every count column whose place in the
// summary is "counters.<name>" (measure.ColumnDef.Summary), each the sum of
// its timeseries.csv column, and every family by key (failure_causes,
// disconnect_causes, protocol_errors). In summary.json it is an object
// keyed by those names, in definition order, zeros and empty families
// included, so that a new counter needs nothing here.
type Counters struct {
	cols measure.ByColumn[int64]
	keys measure.ByFamily[map[string]int64]
}

// counterName returns the name of column c in the counters, or "" when the
// summary does not keep its total there.
func counterName(c measure.Column) string {
	name, ok := strings.CutPrefix(c.Def().Summary, "counters.")
	if !ok || c.Kind() != measure.Count {
		return ""
	}
	return name
}

// Get returns the total of column c (zero for a column the counters do
// not hold).
func (c *Counters) Get(col measure.Column) int64 {
	if col >= measure.NumColumns {
		return 0
	}
	return c.cols[col]
}

// Set sets the total of column col (for building summaries by hand).
func (c *Counters) Set(col measure.Column, v int64) {
	if col < measure.NumColumns {
		c.cols[col] = v
	}
}

// Keys returns the counts of family f by key name, never nil.
func (c *Counters) Keys(f measure.Family) map[string]int64 {
	if f >= measure.NumFamilies {
		return map[string]int64{}
	}
	if c.keys[f] == nil {
		c.keys[f] = map[string]int64{}
	}
	return c.keys[f]
}

// counters sums the series columns of s that the counters hold, and copies
// its counts by key.
func counters(s *Shard) Counters {
	var c Counters
	for _, col := range measure.Columns() {
		if counterName(col) != "" {
			c.cols[col] = s.total(col)
		}
	}
	for f := range c.keys {
		c.keys[f] = map[string]int64{}
		addCounts(c.keys[f], s.Keys[f])
	}
	return c
}

// MarshalJSON implements json.Marshaler.
func (c Counters) MarshalJSON() ([]byte, error) {
	out := []byte{'{'}
	add := func(name string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		k, _ := json.Marshal(name)
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(append(append(out, k...), ':'), b...)
		return nil
	}
	for _, col := range measure.Columns() {
		if name := counterName(col); name != "" {
			if err := add(name, c.cols[col]); err != nil {
				return nil, err
			}
		}
	}
	for _, f := range measure.Families() {
		m := c.keys[f]
		if m == nil {
			m = map[string]int64{}
		}
		if err := add(f.String(), m); err != nil {
			return nil, err
		}
	}
	return append(out, '}'), nil
}

// UnmarshalJSON implements json.Unmarshaler. Names this version does not
// know (a newer stormbench's counters) are skipped.
func (c *Counters) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*c = Counters{}
	for name, raw := range m {
		if f, ok := measure.FamilyByName(name); ok {
			if err := json.Unmarshal(raw, &c.keys[f]); err != nil {
				return fmt.Errorf("counters.%s: %w", name, err)
			}
			continue
		}
		col, ok := measure.ColumnByName(name)
		if !ok || counterName(col) != name {
			continue
		}
		if err := json.Unmarshal(raw, &c.cols[col]); err != nil {
			return fmt.Errorf("counters.%s: %w", name, err)
		}
	}
	return nil
}

// CountersOf returns counters holding the given column totals (for
// building summaries by hand, as tests and tools do).
func CountersOf(cols map[measure.Column]int64) Counters {
	var c Counters
	for col, v := range cols {
		c.Set(col, v)
	}
	return c
}
