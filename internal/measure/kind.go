package measure

// Kind says how a column's values behave over time and across event
// loops, processes and machines.
type Kind uint8

const (
	// Count is a number of events within the interval: loops and shards
	// add, and an interval without events is zero.
	Count Kind = iota
	// Gauge is a loop's state at the end of the interval: an interval
	// without a report carries the previous value forward, and loops and
	// shards add (each loop holds its own clients).
	Gauge
	// Peak is the largest value of the interval (the longest stretch a
	// loop worked without a pause): loops and shards take the maximum, and
	// an interval without a report is zero.
	Peak
	// HostGauge is a machine-wide state sampled by the coordinator: it
	// carries forward like a gauge, but shards take the maximum, because
	// only one process of a machine samples it and machines do not share a
	// kernel (merged over machines it is the highest machine's value).
	HostGauge
)

var kindNames = [...]string{"count", "gauge", "peak", "host gauge"}

// String names the kind as the docs do.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Carries reports whether a value of this kind carries forward over
// intervals without a report.
func (k Kind) Carries() bool { return k == Gauge || k == HostGauge }

// Combine returns the value of a merged interval from two parts' values.
func (k Kind) Combine(a, b int64) int64 {
	if k == HostGauge || k == Peak {
		return max(a, b)
	}
	return a + b
}

// Record returns the value of an interval that held old when a loop
// records v: counts add, gauges are replaced (the last report of an
// interval wins), peaks keep the larger.
func (k Kind) Record(old, v int64) int64 {
	switch k {
	case Gauge, HostGauge:
		return v
	case Peak:
		return max(old, v)
	}
	return old + v
}
