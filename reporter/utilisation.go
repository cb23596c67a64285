package reporter

import "time"

// Utilisation is the share of time the event loops were busy (not waiting
// for events or timers), as a fraction: 1 means every loop was busy all
// the time.
type Utilisation struct {
	// Mean is the loops' busy time over loops × the length of the
	// intervals that overlap the phase.
	Mean float64 `json:"mean"`
	// Max is the highest utilisation of one interval of the phase.
	Max float64 `json:"max"`
}

// utilisation computes the loops' utilisation over the series intervals
// that overlap [from, to) from the loop_busy_us column; nil when the loops
// reported no busy time at all (older shards) or no interval overlaps.
func utilisation(busy []int64, loops int, interval, from, to time.Duration) *Utilisation {
	if loops <= 0 || interval <= 0 || len(busy) == 0 {
		return nil
	}
	var total int64
	for _, v := range busy {
		total += v
	}
	if total == 0 {
		return nil
	}
	first := int(max(from, 0) / interval)
	last := min(int((to+interval-1)/interval)-1, len(busy)-1)
	if last < first {
		return nil
	}
	capacity := float64(loops) * float64(interval/time.Microsecond)
	var sum int64
	u := &Utilisation{}
	for i := first; i <= last; i++ {
		sum += busy[i]
		u.Max = max(u.Max, float64(busy[i])/capacity)
	}
	u.Mean = float64(sum) / (capacity * float64(last-first+1))
	return u
}
