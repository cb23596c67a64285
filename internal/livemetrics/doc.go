// Package livemetrics is stormbench's live view: the state of a running
// experiment in the Prometheus text exposition format, served on
// --metrics-listen by `run` (the client fleet, and the embedded server) and
// by `serve` (the server-under-test), while the terminal status line goes on
// as before.
//
// The package owns a data contract and nothing else of the harness: the
// caller fills a RunSnapshot or a ServeSnapshot from what it already keeps
// (loadgen's published Status and per-loop counters, the server's Stats) and
// hands over a source that returns one on demand. livemetrics imports
// neither loadgen nor the server; the fleet records its live histograms in
// livemetrics' bucket layout (LatencyBuckets), and the experiment package
// wires the two together.
//
// Collectors read the source once per scrape and turn the snapshot into
// client_golang's const metrics: no goroutine of their own, no state kept
// between scrapes, so a scrape can never count anything twice. Counters are
// cumulative since the run (or the server) started; histograms are
// cumulative too, with the fixed layout of LatencyBuckets, so that
// Prometheus's rate() and histogram_quantile() work across scrapes.
//
// A source that cannot answer (a fleet whose event loop or worker process
// died) fails the scrape: HTTP 500 with the error in the body, and no
// figures at all, so that nothing partial passes for complete; Prometheus
// then records the target as down.
//
// Serve listens on loopback only unless the caller allows otherwise: the
// live view shows a staging run's internals (fleet size, faults, causes of
// failures) to anyone who can reach the port.
package livemetrics
