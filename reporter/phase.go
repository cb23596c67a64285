package reporter

import (
	"time"

	"github.com/stormbench/stormbench/internal/measure"
)

// firstPhase names the histogram interval before the first Sink.Cut.
const firstPhase = "start"

// phase is one histogram interval of one loop: from its Cut to the next.
type phase struct {
	name  string
	start time.Duration
	h     hists
}

// Phase is one histogram interval of a shard, from one Sink.Cut to the next.
// Phases of loops and shards merge by index.
type Phase struct {
	// Name is the phase name given to Sink.Cut ("start" before the first).
	Name string `json:"name"`
	// Start is the earliest Cut of the phase over all loops, as an offset
	// from the run start.
	Start time.Duration `json:"start_ns"`
	// End is the start of the next phase, or the end of the run.
	End time.Duration `json:"end_ns"`
	// Histograms holds the interval histogram of every metric that recorded
	// a value in the phase, by metric name.
	Histograms map[string]*Hist `json:"histograms"`
}

// shard converts the loop phase into its serialisable form. The result may
// share the loop's histograms: it is only meant as input to merge, which
// copies. The caller holds the compactor's packMu.
func (p *phase) shard() Phase {
	out := Phase{Name: p.name, Start: p.start, Histograms: map[string]*Hist{}}
	for m := measure.Metric(0); m < measure.NumMetrics; m++ {
		if h := p.h.get(m); h != nil {
			out.Histograms[m.String()] = h
		}
	}
	return out
}
