package reporter

import (
	"fmt"
	"time"

	"github.com/stormbench/stormbench/internal/measure"
)

// HostSample is what the coordinator samples of its machine's kernel once
// per time-series interval (from /proc/net/sockstat and /proc/net/netstat).
// It describes the whole machine, so only one process per machine reports
// it: it is recorded once, not per loop.
type HostSample struct {
	// TCPMemPages is the memory of all TCP sockets in pages (sockstat
	// "TCP: mem"), compared with net.ipv4.tcp_mem.
	TCPMemPages int64
	// TCPInUse is the number of TCP sockets in use (sockstat "inuse").
	TCPInUse int64
	// TCPOrphans is the number of orphaned TCP sockets (sockstat "orphan").
	TCPOrphans int64
	// TCPTimeWait is the number of sockets in TIME_WAIT (sockstat "tw").
	TCPTimeWait int64
	// TCPAbortOnMemory counts sockets the kernel aborted for lack of memory
	// since the previous sample (netstat TCPAbortOnMemory, a delta).
	TCPAbortOnMemory int64
	// TCPMemoryPressures counts entries into TCP memory pressure since the
	// previous sample (netstat TCPMemoryPressures, a delta).
	TCPMemoryPressures int64
	// ListenOverflows counts accept-queue overflows since the previous
	// sample (netstat ListenOverflows, a delta).
	ListenOverflows int64
	// ListenDrops counts SYNs dropped at a listening socket since the
	// previous sample (netstat ListenDrops, a delta).
	ListenDrops int64
}

// numHostColumns is how many columns Recorder.Host records.
const numHostColumns = int(measure.NumColumns - measure.FirstHostColumn)

// values returns the sample in host-column order.
func (s HostSample) values() [numHostColumns]int64 {
	return [numHostColumns]int64{
		s.TCPMemPages, s.TCPInUse, s.TCPOrphans, s.TCPTimeWait,
		s.TCPAbortOnMemory, s.TCPMemoryPressures, s.ListenOverflows, s.ListenDrops,
	}
}

// KernelLimits are the machine's TCP memory limits, read once at the start.
type KernelLimits struct {
	// TCPMemPages is net.ipv4.tcp_mem: min, pressure and max, in pages.
	TCPMemPages [3]int64 `json:"tcp_mem_pages"`
	// PageSize is the page size in bytes.
	PageSize int `json:"page_size"`
}

// known reports whether the limits were read.
func (k *KernelLimits) known() bool { return k != nil && k.TCPMemPages[2] > 0 }

// pressure and limit return the pressure threshold and the maximum.
func (k *KernelLimits) pressure() int64 { return k.TCPMemPages[1] }
func (k *KernelLimits) limit() int64    { return k.TCPMemPages[2] }

// hostRow is one interval of the host series.
type hostRow struct {
	v       [numHostColumns]int64
	sampled bool
}

// hostSeries is the machine's series, sampled by the coordinator.
type hostSeries struct {
	rows []hostRow
}

// add records a sample in interval i: gauges are replaced (the last sample
// of an interval wins), counts add up.
func (h *hostSeries) add(i int, s HostSample) {
	for len(h.rows) <= i {
		h.rows = append(h.rows, hostRow{})
	}
	r := &h.rows[i]
	for c, v := range s.values() {
		if (measure.FirstHostColumn + measure.Column(c)).Kind().Carries() {
			r.v[c] = v
		} else {
			r.v[c] += v
		}
	}
	r.sampled = true
}

// snapshot returns n full-width rows holding the host columns (loop columns
// zero), gauges carried forward over intervals without a sample.
func (h *hostSeries) snapshot(n int) [][]int64 {
	out := make([][]int64, n)
	kinds := columnKinds()[measure.NumLoopColumns:]
	var last [numHostColumns]int64
	for i := range out {
		r := make([]int64, measure.NumColumns)
		sampled := false
		if i < len(h.rows) {
			copy(r[measure.NumLoopColumns:], h.rows[i].v[:])
			sampled = h.rows[i].sampled
		}
		carry(r[measure.NumLoopColumns:], last[:], kinds, sampled)
		out[i] = r
	}
	return out
}

// hostState remembers which kernel conditions are ongoing, so that an event
// is recorded when one begins, not at every sample.
type hostState struct {
	pressure, exhausted, overflowing bool
}

// Host records a sample of the machine's kernel taken at offset at. Call it
// from one goroutine of the process that owns the machine's figures (the
// coordinator), once per interval; it is safe for concurrent use with the
// loops. When a condition begins — TCP memory pressure, TCP memory at its
// limit (or sockets aborted for lack of memory), a listen queue overflow —
// it also records an Event.
func (r *Recorder) Host(at time.Duration, s HostSample) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.host.add(bucketOf(at, r.interval), s)
	r.hostSamples++
	k := r.kernel
	pressure := s.TCPMemoryPressures > 0 || (k.known() && s.TCPMemPages >= k.pressure())
	exhausted := s.TCPAbortOnMemory > 0 || (k.known() && s.TCPMemPages >= k.limit())
	overflowing := s.ListenOverflows > 0 || s.ListenDrops > 0
	if exhausted && !r.hostState.exhausted {
		r.event(Event{At: at, Kind: EventKernelTCPMemoryExhausted, Process: "kernel",
			Detail: fmt.Sprintf("TCP memory %d pages, %d sockets aborted for lack of memory", s.TCPMemPages, s.TCPAbortOnMemory)})
	}
	if pressure && !r.hostState.pressure {
		r.event(Event{At: at, Kind: EventKernelTCPMemoryPressure, Process: "kernel",
			Detail: fmt.Sprintf("TCP memory %d pages", s.TCPMemPages)})
	}
	if overflowing && !r.hostState.overflowing {
		r.event(Event{At: at, Kind: EventListenOverflow, Process: "kernel",
			Detail: fmt.Sprintf("%d listen queue overflows, %d SYNs dropped", s.ListenOverflows, s.ListenDrops)})
	}
	r.hostState = hostState{pressure: pressure, exhausted: exhausted, overflowing: overflowing}
}

// SetKernel records the machine's TCP memory limits; the summary compares
// the tcp_mem_pages samples with them. Call it once, before the first Host.
func (r *Recorder) SetKernel(k KernelLimits) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.kernel = &k
}
