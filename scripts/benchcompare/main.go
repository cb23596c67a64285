// Command benchcompare runs the same stormbench scenario with two builds on
// the same machine, back to back and alternating, and prints the figures
// that matter for the hot paths side by side with their ratio: timer
// lateness p99 in the hold and in the storm, the ramp's connect rate,
// load-generator memory per client and CPU per heartbeat frame. Use it
// through scripts/bench-compare.sh before merging a change to a hot path:
// a regression shows as a ratio above 1 that repeats in every round.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// figure is one number read from a run's summary.json and config.json.
type figure struct {
	name, unit string
	// lowerIsBetter says which way a ratio is good.
	lowerIsBetter bool
	read          func(s, cfg map[string]any) (float64, bool)
}

var figures = []figure{
	{"hold lateness p99", "ms", true, func(s, _ map[string]any) (float64, bool) { return phaseLateness(s, "hold") }},
	{"storm lateness p99", "ms", true, func(s, _ map[string]any) (float64, bool) { return phaseLateness(s, "storm") }},
	{"ramp connect rate", "/s", false, rampRate},
	{"peak RSS per client", "B", true, func(s, cfg map[string]any) (float64, bool) {
		rss, ok1 := num(s, "harness", "peak_rss_bytes")
		n, ok2 := num(cfg, "loadgen", "clients")
		return rss / n, ok1 && ok2 && n > 0
	}},
	{"memory per client", "B", true, func(s, cfg map[string]any) (float64, bool) {
		// The processes' own memory plus the executable once: what the
		// sum of peak RSS counts once per process (missing for builds
		// that do not record it).
		anon, ok1 := num(s, "harness", "peak_anon_bytes")
		file, ok2 := num(s, "harness", "file_rss_bytes")
		n, ok3 := num(cfg, "loadgen", "clients")
		return (anon + file) / n, ok1 && ok2 && ok3 && n > 0
	}},
	{"CPU per heartbeat frame", "µs", true, func(s, _ map[string]any) (float64, bool) {
		cpu, ok1 := num(s, "harness", "cpu_seconds")
		sent, ok2 := num(s, "heartbeat", "frames_sent")
		recv, _ := num(s, "heartbeat", "frames_received")
		return cpu * 1e6 / (sent + recv), ok1 && ok2 && sent+recv > 0
	}},
	{"storm recovery p99", "ms", true, func(s, _ map[string]any) (float64, bool) {
		st, ok := s["storms"].([]any)
		if !ok || len(st) == 0 {
			return 0, false
		}
		return num(st[0].(map[string]any), "recovery_ms", "p99")
	}},
}

// phaseLateness is the highest timer lateness p99 of the phases whose
// name starts with prefix.
func phaseLateness(s map[string]any, prefix string) (float64, bool) {
	phases, _ := get(s, "harness", "phases").([]any)
	best, found := 0.0, false
	for _, p := range phases {
		m, _ := p.(map[string]any)
		if name, _ := m["name"].(string); !strings.HasPrefix(name, prefix) {
			continue
		}
		if v, ok := num(m, "timer_lateness_ms", "p99"); ok {
			best, found = max(best, v), true
		}
	}
	return best, found
}

// rampRate is the clients over the ramp phase's length.
func rampRate(s, cfg map[string]any) (float64, bool) {
	phases, _ := get(s, "harness", "phases").([]any)
	n, ok := num(cfg, "loadgen", "clients")
	if !ok {
		return 0, false
	}
	for _, p := range phases {
		m, _ := p.(map[string]any)
		if m["name"] == "ramp" {
			a, _ := m["start_s"].(float64)
			b, _ := m["end_s"].(float64)
			if b > a {
				return n / (b - a), true
			}
		}
	}
	return 0, false
}

func get(m map[string]any, path ...string) any {
	var v any = m
	for _, k := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}

func num(m map[string]any, path ...string) (float64, bool) {
	v, ok := get(m, path...).(float64)
	return v, ok
}

func main() {
	rev := flag.String("rev", "", "git revision to compare with (required), e.g. 5d8f303")
	rounds := flag.Int("rounds", 3, "alternating rounds (each runs both builds)")
	out := flag.String("out", "results/bench-compare", "where the runs' results go")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: benchcompare -rev REV [-rounds N] [-out DIR] [-- stormbench run flags]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *rev == "" || *rounds < 1 {
		flag.Usage()
		os.Exit(2)
	}
	args := flag.Args()
	if len(args) == 0 {
		// The 100 000-client hold of the scale figures.
		args = strings.Fields("--clients 100000 --ramp-rate 3000 --hold 60s --heartbeat ws-ping --heartbeat-interval 10s --jitter full --fault abort --server-broadcast-interval 0")
	}
	if err := run(*rev, *rounds, *out, args); err != nil {
		fmt.Fprintln(os.Stderr, "benchcompare:", err)
		os.Exit(1)
	}
}

func run(rev string, rounds int, out string, args []string) error {
	tmp, err := os.MkdirTemp("", "benchcompare")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	old, err := buildRev(rev, tmp)
	if err != nil {
		return err
	}
	cur := filepath.Join(tmp, "stormbench-current")
	if err := sh("go", "build", "-o", cur, "./cmd/stormbench"); err != nil {
		return fmt.Errorf("build the working tree: %w", err)
	}
	builds := []struct{ name, bin string }{{rev, old}, {"current", cur}}
	vals := map[string]map[string][]float64{}
	for r := 1; r <= rounds; r++ {
		for _, b := range builds {
			name := fmt.Sprintf("%s-round%d", strings.ReplaceAll(b.name, "/", "_"), r)
			fmt.Fprintf(os.Stderr, "round %d/%d: %s\n", r, rounds, b.name)
			dir, err := runOnce(b.bin, out, name, args)
			if err != nil {
				return fmt.Errorf("%s, round %d: %w", b.name, r, err)
			}
			s, cfg, err := readRun(dir)
			if err != nil {
				return err
			}
			if vals[b.name] == nil {
				vals[b.name] = map[string][]float64{}
			}
			for _, f := range figures {
				if v, ok := f.read(s, cfg); ok {
					vals[b.name][f.name] = append(vals[b.name][f.name], v)
				}
			}
		}
	}
	print(os.Stdout, rev, rounds, args, vals)
	return nil
}

// buildRev builds stormbench at rev from a detached worktree of this
// repository.
func buildRev(rev, tmp string) (string, error) {
	wt := filepath.Join(tmp, "worktree")
	if err := sh("git", "worktree", "add", "--detach", wt, rev); err != nil {
		return "", fmt.Errorf("check out %s: %w", rev, err)
	}
	defer sh("git", "worktree", "remove", "--force", wt)
	bin := filepath.Join(tmp, "stormbench-old")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/stormbench")
	cmd.Dir, cmd.Stdout, cmd.Stderr = wt, os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build %s: %w", rev, err)
	}
	return bin, nil
}

// runOnce runs the scenario and returns its results folder.
func runOnce(bin, out, name string, args []string) (string, error) {
	parent := filepath.Join(out, name)
	if err := os.RemoveAll(parent); err != nil {
		return "", err
	}
	full := append([]string{"run", "--quiet", "--out", parent, "--name", "bench"}, args...)
	cmd := exec.Command(bin, full...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) { // 1: a threshold, still measured
		return "", fmt.Errorf("%s %s: %w", bin, strings.Join(full, " "), err)
	}
	entries, err := os.ReadDir(parent)
	if err != nil || len(entries) == 0 {
		return "", fmt.Errorf("no results folder under %s", parent)
	}
	return filepath.Join(parent, entries[len(entries)-1].Name()), nil
}

func readRun(dir string) (sum, cfg map[string]any, err error) {
	for _, f := range []struct {
		name string
		dst  *map[string]any
	}{{"summary.json", &sum}, {"config.json", &cfg}} {
		b, err := os.ReadFile(filepath.Join(dir, f.name))
		if err != nil {
			return nil, nil, err
		}
		if err := json.Unmarshal(b, f.dst); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", f.name, err)
		}
	}
	return sum, cfg, nil
}

// print writes the medians of both builds, their spread and the ratio.
func print(w *os.File, rev string, rounds int, args []string, vals map[string]map[string][]float64) {
	fmt.Fprintf(w, "stormbench run %s\n%d alternating rounds, %s\n\n", strings.Join(args, " "), rounds, time.Now().Format(time.RFC3339))
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "figure\t%s (median [min–max])\tcurrent (median [min–max])\tcurrent / %s\t\n", rev, rev)
	for _, f := range figures {
		a, b := vals[rev][f.name], vals["current"][f.name]
		if len(a) == 0 || len(b) == 0 {
			fmt.Fprintf(tw, "%s\t%s\t%s\t–\t\n", f.name, spread(a, f.unit), spread(b, f.unit))
			continue
		}
		ratio := median(b) / median(a)
		mark := ""
		if (f.lowerIsBetter && ratio > 1.1) || (!f.lowerIsBetter && ratio < 0.9) {
			mark = "  worse"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f%s\t\n", f.name, spread(a, f.unit), spread(b, f.unit), ratio, mark)
	}
	tw.Flush()
}

func spread(v []float64, unit string) string {
	if len(v) == 0 {
		return "–"
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return fmt.Sprintf("%s %s [%s–%s]", short(median(s)), unit, short(s[0]), short(s[len(s)-1]))
}

// short writes v with three significant digits, never as an exponent
// (2 920 rather than 2.92e+03).
func short(v float64) string {
	if math.Abs(v) >= 1000 {
		return strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func sh(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}
