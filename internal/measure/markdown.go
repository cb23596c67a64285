package measure

import (
	"fmt"
	"strings"
)

// Markdown returns the tables of every column, metric and family, as the
// metrics page of the docs shows them (docs/metrics.md, kept equal by a
// test).
func Markdown() string {
	var b strings.Builder
	code := func(s string) string {
		if s == "" {
			return ""
		}
		return "`" + s + "`"
	}
	yes := func(v bool) string {
		if v {
			return "yes"
		}
		return ""
	}
	prom := func(s string) string {
		if s == "" {
			return ""
		}
		return code("stormbench_" + s)
	}
	b.WriteString("### Time-series columns (`timeseries.csv`)\n\n")
	b.WriteString("| column | kind | unit | definition | in summary.json | per storm | live (Prometheus) |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- |\n")
	for _, c := range Columns() {
		d := c.Def()
		kind := d.Kind.String()
		if c.Host() {
			kind += ", sampled by the coordinator"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", code(d.Name), kind, d.Unit, d.Doc, code(d.Summary), yes(d.Storm), prom(d.Prom))
	}
	b.WriteString("\n### Histograms (`<name>.hgrm`, `histograms.hlog`, `summary.json` histograms)\n\n")
	b.WriteString("| histogram | unit | definition | .hgrm file | per storm | live (Prometheus) |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- |\n")
	files := [...]string{FileAlways: "always", FileWhenRecorded: "when recorded", FileNever: ""}
	for _, m := range Metrics() {
		d := m.Def()
		unit := "ms"
		if d.Counts {
			unit = "count"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", code(d.Name), unit, d.Doc, files[d.File], yes(d.Storm), prom(d.Prom))
	}
	b.WriteString("\n### Counts by key (`summary.json` counters, `timeseries_by_key.csv`)\n\n")
	b.WriteString("| family | key | definition | also counted in | live (Prometheus) |\n")
	b.WriteString("| --- | --- | --- | --- | --- |\n")
	for _, f := range Families() {
		d := f.Def()
		total := ""
		if d.Total < NumColumns {
			total = code(d.Total.String())
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", code(d.Name), d.Key, d.Doc, total, prom(d.Prom))
	}
	return b.String()
}
