package reporter

import (
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// firstPhase names the histogram interval before the first Sink.Cut.
const firstPhase = "start"

// phase is one histogram interval of one loop: from its Cut to the next.
type phase struct {
	name  string
	start time.Duration
	hists [numMetrics]*hdr.Histogram
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

// shard converts the loop phase into its serialisable form. The result shares
// the loop's histograms: it is only meant as input to merge, which copies.
func (p *phase) shard() Phase {
	out := Phase{Name: p.name, Start: p.start, Histograms: map[string]*Hist{}}
	for m, h := range p.hists {
		if h != nil {
			out.Histograms[metricNames[m]] = &Hist{h}
		}
	}
	return out
}
