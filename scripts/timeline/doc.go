// Command timeline prints the time series of one or more stormbench runs side
// by side, one row per second: connection attempts, connects and failures
// per second, and the open, connecting and waiting gauges of each run. Runs
// can be aligned at their own fault instant (-t0), so that a real packet
// blackhole and an emulated partition, or the same storm before and after an
// engine change, can be read line by line.
//
//	go run ./scripts/timeline A/timeseries.csv B/timeseries.csv
//	go run ./scripts/timeline -t0 bh=unix:1795405448.2,part=storm bh=results/x part=results/y
//
// An argument is a results folder or its timeseries.csv, optionally prefixed
// with LABEL=; unlabelled runs are called A, B, C, … in order. Next to the
// CSV, timeline also reads what it finds of summary.json (start time, storm
// instants, timer lateness per phase), config.json (connect timeout) and
// syn_sent.csv (sockets in SYN-SENT sampled by scripts/blackhole.sh).
//
// After the table come summary lines per run: the peak of the connecting
// gauge, the peak number of sockets in SYN-SENT, the mean time an attempt
// spent connecting (Little's law), and bounds on the longest time a single
// client spent connecting. The bound from timer lateness holds where an
// attempt's lateness is measured when its dial really starts; an attempt
// that the emulated partition lets through after the partition ends counts
// from its first (lost) SYN instead, so a queue wait behind it is not in
// that run's lateness — read the connecting-never-0 bound there.
package main
