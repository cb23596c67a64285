package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "figures:", err)
		os.Exit(2)
	}
}

// run prints one line per results folder, then the median of each column.
func run(dirs []string, out io.Writer) error {
	if len(dirs) == 0 {
		return fmt.Errorf("usage: figures RESULTS_DIR...")
	}
	all := make([]figures, len(dirs))
	for i, d := range dirs {
		f, err := load(d)
		if err != nil {
			return err
		}
		all[i] = f
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := make([]string, 0, nFigures+1)
	for c := range nFigures {
		head = append(head, c.String())
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\trun\t")
	for i, f := range all {
		fmt.Fprintln(tw, format(f)+"\t"+dirs[i]+"\t")
	}
	if len(all) > 1 {
		var med figures
		for c := range nFigures {
			var v []float64
			for _, f := range all {
				if !math.IsNaN(f[c]) {
					v = append(v, f[c])
				}
			}
			med[c] = median(v)
		}
		fmt.Fprintln(tw, format(med)+"\t"+fmt.Sprintf("median of %d", len(all))+"\t")
	}
	return tw.Flush()
}

// format prints a line's values: "-" where there is none.
func format(f figures) string {
	s := make([]string, nFigures)
	for c, v := range f {
		switch {
		case math.IsNaN(v):
			s[c] = "-"
		case figure(c) == figRampS || figure(c) == figRampPhaseS || figure(c) == figPeakRSSMiB:
			s[c] = fmt.Sprintf("%.2f", v)
		case figure(c) == figStormLatenessP99:
			s[c] = fmt.Sprintf("%.1f", v)
		default:
			s[c] = fmt.Sprintf("%.0f", v)
		}
	}
	return strings.Join(s, "\t")
}

// median returns the median of v (mean of the middle two), NaN for none.
func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
