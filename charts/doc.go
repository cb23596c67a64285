// Package charts draws the charts of stormbench results folders, as PNG and
// SVG, from the results files alone: summary.json, config.json,
// timeseries.csv, server.json with server_timeseries.csv, and the .hgrm
// percentile files. It never needs the code that wrote them, so it draws
// folders from other machines and from older versions alike.
//
// Load reads one folder into a Run. WriteRunCharts draws a run: its
// timeline (open connections and attempts per second, storms marked, the
// server's accepts and handshakes when it reported them), the CDFs of
// detect latency and outage, and the HdrHistogram percentile plot of
// connect latency and outage. WriteComparisonCharts overlays the same
// charts for several settings (one Group each, with its repeats) and adds
// a bar chart of peak attempts per second and recovery p99.
//
// Every chart carries a title, axis units, a legend and the run's settings
// in a subtitle, so that someone who did not run the experiment can read it.
package charts
