package reporter

import (
	"github.com/stormbench/stormbench/internal/measure"
	"github.com/stormbench/stormbench/loadgen"
)

// maxStorms bounds the storm index a sink accepts; larger indexes are ignored.
const maxStorms = 1 << 16

// numCauseSlots is the length of a per-cause array: every detection cause,
// and slot 0 for an unknown one.
var numCauseSlots = len(measure.Causes()) + 1

// causeSlot is the slot of cause c in a per-cause array.
func causeSlot(c measure.Cause) int {
	if int(c) >= numCauseSlots {
		return 0
	}
	return int(c)
}

// stormRec is what one loop saw of one storm. Its histograms use the slots
// of the storm metrics (measure.StormMetrics).
type stormRec struct {
	k                                       int
	affected, detected, attempts, recovered int64
	ready                                   int64
	counts                                  [measure.NumColumns]int64 // the per-storm columns
	causes                                  []int64                   // indexed by measure.Cause
	h                                       hists
}

// Storm is what a shard saw of one storm: the loops' counts and histograms,
// and the coordinator's facts when this shard received them.
type Storm struct {
	// Info is the coordinator's facts of the storm, nil when this shard did
	// not receive them.
	Info *loadgen.StormInfo `json:"info,omitempty"`
	// AffectedCounted counts the affected clients the loops saw
	// (loadgen.StormAffected).
	AffectedCounted int64 `json:"affected_counted"`
	// Detected counts affected clients that declared their connection dead.
	Detected int64 `json:"detected"`
	// Attempts counts attempts of affected clients between detection and
	// recovery.
	Attempts int64 `json:"attempts"`
	// Recovered counts affected clients that connected again.
	Recovered int64 `json:"recovered"`
	// Ready counts affected clients ready again (joined, with a
	// framework's protocol; else when open again).
	Ready int64 `json:"ready,omitempty"`
	// Counts holds the events of the per-storm columns (measure.ColumnDef
	// Storm: messages lost and duplicated, the clients' and the server's
	// direct messages lost, dropped and duplicated) within the storm's
	// window.
	Counts measure.ByColumn[int64] `json:"counts"`
	// DetectCauses counts detections by cause name.
	DetectCauses map[string]int64 `json:"detect_causes"`
	// Histograms holds the storm metrics of its affected clients
	// (detect_latency, reconnect_latency, outage, attempts_per_recovery,
	// outage_ready), by metric name.
	Histograms map[string]*Hist `json:"histograms"`
}

// newStorm returns an empty storm.
func newStorm() Storm {
	return Storm{DetectCauses: map[string]int64{}, Histograms: map[string]*Hist{}}
}

// shard converts the loop's storm record into its serialisable form. The
// result may share the loop's histograms: it is only meant as input to
// merge. The caller holds the compactor's packMu.
func (s *stormRec) shard() Storm {
	out := newStorm()
	out.AffectedCounted, out.Detected, out.Attempts, out.Recovered, out.Ready = s.affected, s.detected, s.attempts, s.recovered, s.ready
	out.Counts = s.counts
	out.DetectCauses = causeCounts(s.causes, causeName)
	for _, m := range measure.StormMetrics() {
		if h := s.h.get(m); h != nil {
			out.Histograms[m.String()] = h
		}
	}
	return out
}

// hist returns the storm histogram of metric m, dense (a copy when it is
// kept sparse), or nil.
func (s *Storm) hist(m measure.Metric) *Hist {
	return s.Histograms[m.String()].dense(m)
}

// affected returns the number of affected clients: the coordinator's figure
// when it has one, otherwise the loops' own count.
func (s *Storm) affected() int64 {
	if s.Info != nil && s.Info.Affected >= 0 {
		return int64(s.Info.Affected)
	}
	return s.AffectedCounted
}

// causeName names a detection cause by its index.
func causeName(i int) string { return measure.Cause(i).String() }

// causeCounts turns per-cause counts indexed by enum value into a map of the
// non-zero counts by name.
func causeCounts(counts []int64, name func(int) string) map[string]int64 {
	out := map[string]int64{}
	for i, n := range counts {
		if n != 0 {
			out[name(i)] += n
		}
	}
	return out
}

// sumCounts returns the sum of counts by name.
func sumCounts(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// StormMessages counts, for one storm, what happened to the clients' own
// messages (run --send-rate) and the server's direct messages in its
// window.
type StormMessages struct {
	SentLost         int64 `json:"sent_lost"`
	SentDropped      int64 `json:"sent_dropped"`
	SentDuplicated   int64 `json:"sent_duplicated"`
	DirectLost       int64 `json:"direct_lost"`
	DirectDuplicated int64 `json:"direct_duplicated"`
}

func (m *StormMessages) add(o StormMessages) {
	m.SentLost += o.SentLost
	m.SentDropped += o.SentDropped
	m.SentDuplicated += o.SentDuplicated
	m.DirectLost += o.DirectLost
	m.DirectDuplicated += o.DirectDuplicated
}
