package reporter

import (
	"time"

	"github.com/stormbench/stormbench/internal/measure"
)

// TCPMemLimits is net.ipv4.tcp_mem in pages: below Min the kernel does not
// bother, above Pressure it shrinks socket buffers, at Max it refuses
// socket memory (and aborts sockets).
type TCPMemLimits struct {
	Min      int64 `json:"min"`
	Pressure int64 `json:"pressure"`
	Max      int64 `json:"max"`
}

// KernelSummary is what the coordinator's samples say about the machine's
// kernel. Across merged machines, gauges are the highest machine's and
// limits the lowest machine's.
type KernelSummary struct {
	// TCPMemPages is net.ipv4.tcp_mem (zero when it was not read).
	TCPMemPages TCPMemLimits `json:"tcp_mem_pages"`
	// PageSize is the page size in bytes (zero when unknown).
	PageSize int `json:"page_size,omitempty"`
	// Samples counts the samples taken.
	Samples int64 `json:"samples"`
	// PeakPages is the highest TCP memory sampled, in pages, and PeakAtS
	// the end of its interval in seconds since the start.
	PeakPages int64   `json:"peak_pages"`
	PeakAtS   float64 `json:"peak_at_s"`
	// SecondsUnderPressure is the time TCP memory was at or above the
	// pressure threshold, in whole intervals; FirstPressureAtS is the end
	// of the first such interval.
	SecondsUnderPressure float64  `json:"seconds_under_pressure"`
	FirstPressureAtS     *float64 `json:"first_pressure_at_s,omitempty"`
	// SecondsAtLimit is the time TCP memory was at its maximum;
	// FirstLimitAtS is the end of the first such interval.
	SecondsAtLimit float64  `json:"seconds_at_limit"`
	FirstLimitAtS  *float64 `json:"first_limit_at_s,omitempty"`
	// AbortsOnMemory counts sockets aborted for lack of memory.
	AbortsOnMemory int64 `json:"aborts_on_memory"`
	// MemoryPressures counts entries into TCP memory pressure.
	MemoryPressures int64 `json:"memory_pressures"`
	// ListenOverflows counts accept-queue overflows, ListenDrops SYNs
	// dropped at listening sockets.
	ListenOverflows int64 `json:"listen_overflows"`
	ListenDrops     int64 `json:"listen_drops"`
	// PeakInUse, PeakOrphans and PeakTimeWait are the highest socket
	// counts sampled.
	PeakInUse    int64 `json:"peak_tcp_inuse"`
	PeakOrphans  int64 `json:"peak_tcp_orphans"`
	PeakTimeWait int64 `json:"peak_tcp_time_wait"`
}

// kernel summarises the host columns of s; nil without samples or limits.
func kernel(s *Shard) *KernelSummary {
	if s.HostSamples == 0 && s.Kernel == nil {
		return nil
	}
	k := &KernelSummary{
		Samples:         s.HostSamples,
		AbortsOnMemory:  s.total(measure.TCPAbortOnMemory),
		MemoryPressures: s.total(measure.TCPMemoryPressures),
		ListenOverflows: s.total(measure.ListenOverflows),
		ListenDrops:     s.total(measure.ListenDrops),
	}
	limits := s.Kernel
	if limits != nil {
		k.TCPMemPages = TCPMemLimits{Min: limits.TCPMemPages[0], Pressure: limits.TCPMemPages[1], Max: limits.TCPMemPages[2]}
		k.PageSize = limits.PageSize
	}
	pages := s.column(measure.TCPMemPages)
	end := func(i int) float64 { return (s.Interval * time.Duration(i+1)).Seconds() }
	var pressured, limited time.Duration
	for i, p := range pages {
		if p > k.PeakPages {
			k.PeakPages, k.PeakAtS = p, end(i)
		}
		if !limits.known() {
			continue
		}
		if p >= limits.pressure() {
			pressured += s.Interval
			if k.FirstPressureAtS == nil {
				k.FirstPressureAtS = f64(end(i))
			}
		}
		if p >= limits.limit() {
			limited += s.Interval
			if k.FirstLimitAtS == nil {
				k.FirstLimitAtS = f64(end(i))
			}
		}
	}
	k.SecondsUnderPressure, k.SecondsAtLimit = pressured.Seconds(), limited.Seconds()
	k.PeakInUse = maxOf(s.column(measure.TCPInUse))
	k.PeakOrphans = maxOf(s.column(measure.TCPOrphans))
	k.PeakTimeWait = maxOf(s.column(measure.TCPTimeWait))
	return k
}

// f64 returns a pointer to v.
func f64(v float64) *float64 { return &v }

// maxOf returns the largest value of vs (0 when empty).
func maxOf(vs []int64) int64 {
	var m int64
	for _, v := range vs {
		m = max(m, v)
	}
	return m
}
