// Command figures prints the headline figures of stormbench results
// folders, one line each, and their medians, so that repeated runs (before
// and after a change) are summarised the same way:
//
//	go run ./scripts/figures results/*-abort-full
//
// Per folder: clients; the ramp as seen in timeseries.csv (from the start
// of the first interval with an attempt to the end of the first interval
// at which every client was open) and the connect rate it implies, and the
// ramp phase's length from summary.json (it ends when the coordinator, polling
// every 50 ms, sees every client open); for the
// first storm, the peak attempt rate (summary.json), the highest number of
// connects in one interval of the storm window scaled to per second, the
// recovery time p50/p99/p100 and the storm phase's timer lateness p99; the
// peak RSS of the load generator (harness.peak_rss_bytes, summed over its
// processes) in total and per client.
package main
