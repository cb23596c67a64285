package experiment

import (
	"time"

	"github.com/stormbench/stormbench/reporter"
	sut "github.com/stormbench/stormbench/server-under-test"
)

// summarise computes the run's summary (summary.json) from its shard,
// with the server's own view when srv holds it (stormbench's server
// answered its /stats: the summary's server figures and each storm's
// takeovers come from it), and the outcomes of the thresholds.
func summarise(shard *reporter.Shard, latenessBound time.Duration, interrupted bool, srv *sut.Stats, thresholds []reporter.Threshold) *reporter.Summary {
	opts := reporter.SummaryOptions{LatenessBound: latenessBound, Interrupted: interrupted}
	if srv != nil {
		opts.Server = serverView(srv)
	}
	sum := reporter.Summarize(shard, opts)
	sum.SetThresholds(thresholds)
	return sum
}
