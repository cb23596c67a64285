// Package reporter records what a stormbench fleet measures and turns it into
// results.
//
// loadgen emits measurements into a Recorder: every event loop gets its own
// allocation-free Sink, and the coordinator reports the facts of each storm
// through StormInfo. A Recorder keeps HDR histograms (per phase, in
// microseconds), counters per time-series interval and per-storm figures.
// Snapshot turns them into a Shard, a JSON-serialisable partial result. Shards
// of one run (worker processes or machines) merge exactly with Merge: the
// histograms merge and the counters and time series add, so merging N shards
// equals one Recorder that saw every event.
//
// Summarize computes the figures of DESIGN.md §5 from a Shard, and WriteRun
// writes a results folder: config.json, summary.json, timeseries.csv, one
// .hgrm percentile file per metric and histograms.hlog, each file atomically.
// PrintSummary renders a Summary as a compact human-readable table.
package reporter
