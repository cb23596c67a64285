package experiment

import (
	"time"

	"github.com/stormbench/stormbench/reporter"
	sut "github.com/stormbench/stormbench/server-under-test"
)

// summarise computes the run's summary (summary.json) from its shard,
// with the server's own view when srv holds it (stormbench's server
// answered its /stats: the summary's server figures and each storm's
// takeovers come from it), the outcomes of the thresholds, and the
// warnings when the server did not understand the clients' protocol.
func summarise(shard *reporter.Shard, latenessBound time.Duration, interrupted bool, srv *sut.Stats, thresholds []reporter.Threshold, protocol string) *reporter.Summary {
	opts := reporter.SummaryOptions{LatenessBound: latenessBound, Interrupted: interrupted, Protocol: protocol}
	if srv != nil {
		opts.Server = serverView(srv)
	}
	sum := reporter.Summarize(shard, opts)
	sum.SetThresholds(thresholds)
	return sum
}
