package reporter

import (
	"github.com/stormbench/stormbench/loadgen"
)

// maxStorms bounds the storm index a sink accepts; larger indexes are ignored.
const maxStorms = 1 << 16

// stormRec is what one loop saw of one storm. Its histograms use the
// slots of mDetect, mReconnect, mOutage and mAttempts.
type stormRec struct {
	k                                       int
	affected, detected, attempts, recovered int64
	lost, duplicated                        int64
	app                                     StormMessages
	causes                                  []int64 // indexed by loadgen.Cause
	h                                       hists
}

// stormMetrics are the metrics a storm keeps a histogram of.
var stormMetrics = [...]metric{mDetect, mReconnect, mOutage, mAttempts}

// Storm is what a shard saw of one storm: the loops' counts and histograms,
// and the coordinator's facts when this shard received them.
type Storm struct {
	// Info is the coordinator's facts of the storm, nil when this shard did
	// not receive them.
	Info *loadgen.StormInfo `json:"info,omitempty"`
	// AffectedCounted counts Sink.StormAffected calls.
	AffectedCounted int64 `json:"affected_counted"`
	// Detected counts affected clients that declared their connection dead.
	Detected int64 `json:"detected"`
	// Attempts counts attempts of affected clients between detection and
	// recovery.
	Attempts int64 `json:"attempts"`
	// Recovered counts affected clients that connected again.
	Recovered int64 `json:"recovered"`
	// MessagesLost sums the broadcast gaps attributed to the storm.
	MessagesLost int64 `json:"messages_lost"`
	// MessagesDuplicated counts repeated broadcast messages attributed to the
	// storm.
	MessagesDuplicated int64 `json:"messages_duplicated"`
	// App counts the clients' own and the server's direct messages of
	// the storm.
	App StormMessages `json:"app"`
	// DetectCauses counts detections by cause name.
	DetectCauses map[string]int64 `json:"detect_causes"`
	// Histograms holds detect_latency, reconnect_latency, outage and
	// attempts_per_recovery of the storm's affected clients, by metric name.
	Histograms map[string]*Hist `json:"histograms"`
}

// shard converts the loop's storm record into its serialisable form. The
// result may share the loop's histograms: it is only meant as input to
// merge. The caller holds the compactor's packMu.
func (s *stormRec) shard() Storm {
	out := Storm{
		AffectedCounted:    s.affected,
		Detected:           s.detected,
		Attempts:           s.attempts,
		Recovered:          s.recovered,
		MessagesLost:       s.lost,
		MessagesDuplicated: s.duplicated,
		App:                s.app,
		DetectCauses:       causeCounts(s.causes, causeName),
		Histograms:         map[string]*Hist{},
	}
	for _, m := range stormMetrics {
		if h := s.h.get(m); h != nil {
			out.Histograms[metricNames[m]] = h
		}
	}
	return out
}

// hist returns the storm histogram of metric m, dense (a copy when it is
// kept sparse), or nil.
func (s *Storm) hist(m metric) *Hist {
	return s.Histograms[metricNames[m]].dense(m)
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
func causeName(i int) string { return loadgen.Cause(i).String() }

// failCauseName names an attempt failure cause by its index.
func failCauseName(i int) string { return loadgen.FailCause(i).String() }

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
