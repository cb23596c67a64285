package kernel

// PressureLevel places the kernel's TCP memory against net.ipv4.tcp_mem.
type PressureLevel uint8

// The levels, from harmless to refusing memory.
const (
	// PressureUnknown: the sample lacks "TCP: mem" or tcp_mem is unknown.
	PressureUnknown PressureLevel = iota
	// BelowPressure: mem < tcp_mem pressure.
	BelowPressure
	// UnderPressure: mem ≥ tcp_mem pressure. The kernel enters memory
	// pressure on the next allocation above it, shrinks socket buffers and
	// collapses receive queues, and stays there until mem < tcp_mem min.
	UnderPressure
	// AtLimit: mem ≥ tcp_mem max. Buffer memory is refused: received
	// segments are dropped (peers retransmit), sends stall, orphaned
	// connections are reset. Connections time out and reconnect.
	AtLimit
)

// String is the level's name in summaries and time series.
func (p PressureLevel) String() string {
	switch p {
	case BelowPressure:
		return "below_pressure"
	case UnderPressure:
		return "under_pressure"
	case AtLimit:
		return "at_limit"
	}
	return "unknown"
}

// Level classifies pages of TCP memory against the limits.
func (l MemLimits) Level(pages int64) PressureLevel {
	switch {
	case pages >= l.Max:
		return AtLimit
	case pages >= l.Pressure:
		return UnderPressure
	}
	return BelowPressure
}

// Pressure classifies a sample's TCP memory ("TCP: mem") against the
// machine's tcp_mem. It reads the level off one number: the kernel's own
// state also depends on the past (pressure is left only below tcp_mem
// min), which the MemoryPressures and MemoryPressuresChrono counters
// record exactly.
func Pressure(s Sample, f Facts) PressureLevel {
	pages, ok := s.Get(TCPMemPages)
	limits, lok := f.TCPMem.Get()
	if !ok || !lok {
		return PressureUnknown
	}
	return limits.Level(pages)
}
