package htmlreport

import (
	"fmt"

	"github.com/stormbench/stormbench/internal/measure"

	"github.com/stormbench/stormbench/reporter"
)

// pair is a name and a value of a small two-column table.
type pair struct {
	Name, Value string
}

// totals are the run's totals and the harness's own cost: what a reader
// checks after the storms.
func totals(sum *reporter.Summary) []pair {
	c := sum.Counters
	h := sum.Harness
	out := []pair{
		{"attempts", fmt.Sprintf("%s (connects %s, failures %s)", count(c.Get(measure.Attempts)), count(c.Get(measure.Connects)), count(c.Get(measure.Failures)))},
		{"disconnects", count(c.Get(measure.Disconnects))},
		{"reconnects", fmt.Sprintf("%s (gave up %s)", count(c.Get(measure.Reconnects)), count(c.Get(measure.GaveUp)))},
		{"messages", fmt.Sprintf("%s received, lost %s, duplicated %s", count(c.Get(measure.MessagesReceived)), count(c.Get(measure.MessagesLost)), count(c.Get(measure.MessagesDuplicated)))},
		{"heartbeat", fmt.Sprintf("%s B per connection-second, RTT p50 %s, p99 %s", trim(sum.Heartbeat.BytesPerConnS, 1), ms(sum.Heartbeat.RTTMs.P50), ms(sum.Heartbeat.RTTMs.P99))},
		{"timer lateness", fmt.Sprintf("p50 %s, p99 %s, max %s (bound %s)", ms(h.TimerLatenessMs.P50), ms(h.TimerLatenessMs.P99), ms(h.TimerLatenessMs.Max), ms(h.LatenessBoundMs))},
		{"harness", fmt.Sprintf("%d process(es), %d loop(s), peak RSS %s, CPU %s s", h.Processes, h.Loops, bytesIEC(h.PeakRSSBytes), trim(h.CPUSeconds, 1))},
	}
	if k := sum.Kernel; k != nil {
		out = append(out, pair{"listen queues", fmt.Sprintf("overflows %s, SYNs dropped %s", count(k.ListenOverflows), count(k.ListenDrops))})
	}
	return out
}
