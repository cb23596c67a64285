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
// A shard records the run it belongs to (a run ID) and which client IDs its
// clients were (Coverage: classes g mod count == index). MergeWith refuses
// shards of other runs and shards that overlap, and — unless asked for a
// partial merge — a set that misses some clients; CheckCoverage says which.
// A summary of results that miss clients is partial: it says why, lists the
// missing shards, and its storms give no figure that would blame the server
// for clients the harness lost. Events (a worker that exited, the kernel's
// TCP memory at its limit) and the coordinator's samples of the machine's
// kernel (Recorder.Host) travel with the shard into the summary.
//
// A loop's histograms of a closed phase or storm are packed in the
// background into sparse histograms, so that a run's memory grows by tens
// of kilobytes per storm and loop, not megabytes.
//
// Summarize computes the figures of a run (storms, totals, percentiles,
// heartbeat cost, harness health) from a Shard, and WriteRun
// writes a results folder: config.json, summary.json, timeseries.csv, one
// .hgrm percentile file per metric and histograms.hlog, each file atomically.
// PrintSummary renders a Summary as a compact human-readable table;
// ReadSummary reads one back and refuses what is not a stormbench summary.
package reporter
