// Package measure is stormbench's measurement vocabulary: every time-series
// column, histogram and counter family a run records is defined here once,
// as a typed value with its name, unit, one-line definition, the key it has
// in summary.json and the name it has on the live Prometheus endpoint.
//
// The load generator records by these values (loadgen.Sink), never by
// name; the reporter's time series, shards, exact merge and summary, the
// live view and its Prometheus collector, the charts and the metrics page
// of the docs (docs/metrics.md, checked by a test) all derive from the
// definitions. Adding a measurement is one definition plus the lines that
// record it. Names are looked up only where results files are read from
// disk (ColumnByName, MetricByName, FamilyByName).
package measure
