package compare

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/stormbench/stormbench/reporter"
)

// Format is how a table is written.
type Format uint8

// Formats.
const (
	FormatText Format = iota
	FormatMarkdown
	FormatCSV
	FormatJSON
)

// ParseFormat reads text, markdown, csv or json.
func ParseFormat(s string) (Format, error) {
	switch s {
	case "text":
		return FormatText, nil
	case "markdown", "md":
		return FormatMarkdown, nil
	case "csv":
		return FormatCSV, nil
	case "json":
		return FormatJSON, nil
	}
	return 0, fmt.Errorf("must be text, markdown, csv or json (got %q)", s)
}

// Write writes t in format f.
func (t *Table) Write(w io.Writer, f Format) error {
	switch f {
	case FormatMarkdown:
		return t.writeMarkdown(w)
	case FormatCSV:
		return t.writeCSV(w)
	case FormatJSON:
		return t.writeJSON(w)
	}
	return t.writeText(w)
}

// Legend explains the markers of the text and markdown tables.
const Legend = "median over the runs [min–max], ×ratio to the baseline; * best of the row; " +
	"! min–max does not overlap the baseline's (both ≥ 2 runs); – not reached or not measured"

// rowName names a row within its section.
func (r Row) rowName() string { return r.Figure.String() }

// bare writes v as FormatFigure does, without a unit that the range's
// upper end repeats (durations keep theirs: 900.0ms–1.200s).
func bare(f reporter.Figure, v float64) string {
	s := reporter.FormatFigure(f, v)
	for _, u := range []string{"/s", "%", " B/conn·s"} {
		s = strings.TrimSuffix(s, u)
	}
	return s
}

// section is the heading a row belongs under.
func (r Row) section() string {
	if r.Storm < 0 {
		return "whole run"
	}
	return fmt.Sprintf("storm %d", r.Storm+1)
}

// CellText writes a cell as the text and markdown tables show it; the
// markers are left to the caller.
func CellText(f reporter.Figure, c Cell, baseline bool) string {
	if !c.OK() {
		return "–"
	}
	s := reporter.FormatFigure(f, c.Median)
	if c.N > 1 && c.Min != c.Max {
		s += " [" + bare(f, c.Min) + "–" + reporter.FormatFigure(f, c.Max) + "]"
	}
	if c.Missing > 0 {
		s += fmt.Sprintf(" (%d of %d)", c.N, c.N+c.Missing)
	}
	if c.HasRatio && !baseline && f.Unit() != reporter.UnitBool {
		s += " ×" + strconv.FormatFloat(c.Ratio, 'f', 2, 64)
	}
	return s
}

func (t *Table) header() []string {
	h := make([]string, len(t.Groups))
	for i, g := range t.Groups {
		h[i] = fmt.Sprintf("%s (%d)", g, t.Runs[i])
		if i == t.Baseline {
			h[i] += " baseline"
		}
	}
	return h
}

func (t *Table) writeText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "figure\t%s\n", strings.Join(t.header(), "\t"))
	sec := ""
	for _, r := range t.Rows {
		if s := r.section(); s != sec {
			sec = s
			fmt.Fprintf(tw, "%s\t%s\n", s, strings.Repeat("\t", len(t.Groups)-1))
		}
		cells := make([]string, len(r.Cells))
		for i, c := range r.Cells {
			cells[i] = CellText(r.Figure, c, i == t.Baseline)
			if c.Best {
				cells[i] = "*" + cells[i]
			}
			if c.Differs {
				cells[i] += " !"
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\n", r.rowName(), strings.Join(cells, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s\n", Legend)
	return err
}

func (t *Table) writeMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("| figure | " + strings.Join(t.header(), " | ") + " |\n")
	b.WriteString("| --- |" + strings.Repeat(" --- |", len(t.Groups)) + "\n")
	sec := ""
	for _, r := range t.Rows {
		if s := r.section(); s != sec {
			sec = s
			b.WriteString("| **" + s + "** |" + strings.Repeat(" |", len(t.Groups)) + "\n")
		}
		b.WriteString("| " + r.rowName() + " |")
		for i, c := range r.Cells {
			s := CellText(r.Figure, c, i == t.Baseline)
			if c.Best {
				s = "**" + s + "**"
			}
			if c.Differs {
				s += " !"
			}
			b.WriteString(" " + strings.ReplaceAll(s, "|", "\\|") + " |")
		}
		b.WriteString("\n")
	}
	b.WriteString("\n" + strings.Replace(Legend, "* best of the row", "**bold**: best of the row", 1) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// CSVHeader is the header row of the CSV format: one line per row and group.
var CSVHeader = []string{"storm", "figure", "group", "baseline", "runs", "missing", "median", "min", "max", "ratio", "differs", "best"}

func (t *Table) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	num := func(ok bool, v float64) string {
		if !ok {
			return ""
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	for _, r := range t.Rows {
		storm := ""
		if r.Storm >= 0 {
			storm = strconv.Itoa(r.Storm + 1)
		}
		for i, c := range r.Cells {
			rec := []string{storm, r.Figure.String(), t.Groups[i], strconv.FormatBool(i == t.Baseline), strconv.Itoa(c.N), strconv.Itoa(c.Missing),
				num(c.OK(), c.Median), num(c.OK(), c.Min), num(c.OK(), c.Max), num(c.HasRatio, c.Ratio),
				strconv.FormatBool(c.Differs), strconv.FormatBool(c.Best)}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// jsonTable is the JSON format's layout.
type jsonTable struct {
	Groups   []jsonGroup `json:"groups"`
	Baseline string      `json:"baseline"`
	Rows     []jsonRow   `json:"rows"`
}

type jsonGroup struct {
	Label string `json:"label"`
	Runs  int    `json:"runs"`
}

type jsonRow struct {
	Storm  *int       `json:"storm"` // 1-based; null for a whole-run figure
	Figure string     `json:"figure"`
	Cells  []jsonCell `json:"cells"`
}

type jsonCell struct {
	N       int      `json:"runs"`
	Missing int      `json:"missing"`
	Median  *float64 `json:"median"`
	Min     *float64 `json:"min"`
	Max     *float64 `json:"max"`
	Ratio   *float64 `json:"ratio"`
	Differs bool     `json:"differs"`
	Best    bool     `json:"best"`
}

func (t *Table) writeJSON(w io.Writer) error {
	out := jsonTable{Baseline: t.Groups[t.Baseline]}
	for i, g := range t.Groups {
		out.Groups = append(out.Groups, jsonGroup{Label: g, Runs: t.Runs[i]})
	}
	ptr := func(ok bool, v float64) *float64 {
		if !ok {
			return nil
		}
		return &v
	}
	for _, r := range t.Rows {
		jr := jsonRow{Figure: r.Figure.String()}
		if r.Storm >= 0 {
			k := r.Storm + 1
			jr.Storm = &k
		}
		for _, c := range r.Cells {
			jr.Cells = append(jr.Cells, jsonCell{N: c.N, Missing: c.Missing, Median: ptr(c.OK(), c.Median), Min: ptr(c.OK(), c.Min),
				Max: ptr(c.OK(), c.Max), Ratio: ptr(c.HasRatio, c.Ratio), Differs: c.Differs, Best: c.Best})
		}
		out.Rows = append(out.Rows, jr)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
