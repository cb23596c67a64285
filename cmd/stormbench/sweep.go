package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/stormbench/stormbench/compare"
	"github.com/stormbench/stormbench/experiment"
	"github.com/stormbench/stormbench/reporter"
)

const sweepUsage = `stormbench sweep — the same experiment across settings, one run at a time

Usage:
  stormbench sweep [run flags, some as comma lists] [--repeat N] [--resume-sweep DIR]

Every run flag works as in "stormbench run"; these may be comma lists (or
repeated), and the sweep runs their cross product, each combination
--repeat times with seeds --seed, --seed+1, …, each with a fresh embedded
server (or against --url):
  ` + "%s" + `

The sweep writes <out>/<stamp>-sweep-<name>/: one results folder per run
(named by the settings that differ), sweep.json, comparison.{md,csv,json}.
Ctrl-C stops after writing what finished; --resume-sweep DIR runs what is
not complete yet. Exit codes as for run; 1 when a run broke a --threshold.

Examples:
  stormbench sweep --clients 5000 --fault restart --fault-duration 2s \
      --jitter none,full,equal,decorrelated --repeat 3
  stormbench sweep --policy socketio,centrifuge,phoenix --fault abort
  stormbench sweep --heartbeat-interval 5s,30s --fault blackhole --fault-duration 60s
`

// sweepArgs is a sweep's command line taken apart.
type sweepArgs struct {
	base     []string // run flags common to every run
	axes     []reporter.SweepAxis
	repeat   int
	resume   string
	out      string
	name     string
	seed     uint64
	progress bool
}

// parseSweepArgs separates the swept flags and the sweep's own from the
// run flags every run shares.
func parseSweepArgs(args []string) (*sweepArgs, error) {
	sa := &sweepArgs{repeat: 1, out: "results", seed: 1, progress: true}
	index := map[string]int{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		if !strings.HasPrefix(a, "--") || a == "--" {
			sa.base = append(sa.base, a)
			continue
		}
		own := name == "repeat" || name == "resume-sweep" || name == "out" || name == "name" || name == "seed"
		swept := hasString(sweepable, name)
		if !own && !swept {
			sa.base = append(sa.base, a)
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return nil, usagef("flag needs an argument: --%s", name)
			}
			i++
			value = args[i]
		}
		switch name {
		case "repeat":
			n, err := strconv.Atoi(value)
			if err != nil || n < 1 || n > 1000 {
				return nil, usagef("--repeat must be a whole number in [1, 1000] (got %q)", value)
			}
			sa.repeat = n
		case "resume-sweep":
			sa.resume = value
		case "out":
			sa.out = value
		case "name":
			sa.name = value
		case "seed":
			n, err := strconv.ParseUint(value, 10, 64)
			if err != nil || n == 0 {
				return nil, usagef("--seed must be a whole number ≥ 1 (got %q)", value)
			}
			sa.seed = n
		default:
			vals := splitSweepValues(name, value)
			k, ok := index[name]
			if !ok {
				k = len(sa.axes)
				index[name] = k
				sa.axes = append(sa.axes, reporter.SweepAxis{Flag: name})
			}
			for _, v := range vals {
				if hasString(sa.axes[k].Values, v) {
					return nil, usagef("--%s: %q given twice", name, v)
				}
				sa.axes[k].Values = append(sa.axes[k].Values, v)
			}
		}
	}
	if hasString(sa.base, "--quiet") {
		sa.progress = false
	}
	return sa, nil
}

// splitSweepValues splits a comma list; an exec fault's command is one
// value whatever commas it holds.
func splitSweepValues(flag, v string) []string {
	if flag == "fault" && strings.HasPrefix(v, "exec:") {
		return []string{v}
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		out = append(out, strings.TrimSpace(s))
	}
	return out
}

func hasString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// sweepLabel names a combination by the swept flags with more than one
// value ("jitter=none heartbeat-interval=5s"), and its folder.
func sweepLabel(axes []reporter.SweepAxis, combo []string) (label, dir string) {
	var parts, dirs []string
	for i, ax := range axes {
		if len(ax.Values) < 2 {
			continue
		}
		parts = append(parts, ax.Flag+"="+combo[i])
		dirs = append(dirs, ax.Flag+"-"+safeName(combo[i]))
	}
	if len(parts) == 0 {
		return "all", "run"
	}
	return strings.Join(parts, " "), strings.Join(dirs, "_")
}

var unsafeRE = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// safeName makes a value usable in a folder name.
func safeName(v string) string {
	s := strings.Trim(unsafeRE.ReplaceAllString(v, "-"), "-")
	if len(s) > 40 {
		s = s[:40]
	}
	if s == "" {
		s = "x"
	}
	return s
}

// combos is the cross product of the axes' values, the first varying slowest.
func combos(axes []reporter.SweepAxis) [][]string {
	out := [][]string{nil}
	for _, ax := range axes {
		var next [][]string
		for _, c := range out {
			for _, v := range ax.Values {
				next = append(next, append(append([]string(nil), c...), v))
			}
		}
		out = next
	}
	return out
}

func sweepCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	stderr = shareable(stderr)
	for _, a := range args {
		if a == "--help" || a == "-h" {
			fmt.Fprintf(stdout, sweepUsage, "--"+strings.Join(sweepable, ", --"))
			return errHelp
		}
	}
	sa, err := parseSweepArgs(args)
	if err != nil {
		return err
	}
	dir, m, err := sweepManifest(sa)
	if err != nil {
		return err
	}
	// Every run is planned, and so validated, before the first starts.
	plans := make([]*experiment.Plan, len(m.Runs))
	for i, r := range m.Runs {
		runArgs := append([]string(nil), sa.base...)
		for _, ax := range m.Axes {
			runArgs = append(runArgs, "--"+ax.Flag+"="+r.Settings[ax.Flag])
		}
		runArgs = append(runArgs, "--seed", strconv.FormatUint(r.Seed, 10), "--quiet", "--out", sa.out)
		p, err := planRun(runArgs, stdout, stderr)
		if err != nil {
			if errors.Is(err, errHelp) {
				return err
			}
			return fmt.Errorf("sweep run %q: %w", r.Label, err)
		}
		plans[i] = p
	}
	if len(plans) == 0 {
		return usagef("sweep: nothing to run")
	}
	var progress io.Writer = io.Discard
	if sa.progress {
		progress = stderr
	}
	fmt.Fprintf(progress, "sweep: %d runs (%d settings × %d repeats) into %s\n", len(m.Runs), len(m.Runs)/sa.repeat, sa.repeat, dir)
	res, err := experiment.Sweep(ctx, experiment.SweepSpec{Dir: dir, Manifest: m, Plans: plans, Progress: progress})
	if res != nil && res.Table != nil {
		fmt.Fprintf(stdout, "sweep %s: %d runs\n\n", dir, len(m.Runs))
		if werr := res.Table.Write(stdout, compare.FormatText); werr != nil && !errors.Is(werr, syscall.EPIPE) {
			fmt.Fprintf(stderr, "stormbench: print comparison: %v\n", werr)
		}
		fmt.Fprintf(stdout, "\nresults: %s\n", dir)
	}
	if err != nil {
		return err
	}
	if len(res.Broken) > 0 {
		return fmt.Errorf("%w in %d runs:\n  %s", errThresholds, len(res.Broken), strings.Join(res.Broken, "\n  "))
	}
	return nil
}

// sweepManifest builds the manifest of a new sweep, or reads the one to
// resume and checks that the command asks for the same sweep.
func sweepManifest(sa *sweepArgs) (string, *reporter.SweepManifest, error) {
	if sa.resume != "" {
		m, err := reporter.ReadSweep(sa.resume)
		if err != nil {
			return "", nil, usagef("--resume-sweep %s: %v", sa.resume, err)
		}
		if fmt.Sprint(m.Axes) != fmt.Sprint(sa.axes) || m.Repeat != sa.repeat || m.Seed != sa.seed {
			return "", nil, usagef("--resume-sweep %s: that sweep ran %v × %d repeats from seed %d, this command asks for %v × %d from seed %d",
				sa.resume, m.Axes, m.Repeat, m.Seed, sa.axes, sa.repeat, sa.seed)
		}
		return sa.resume, m, nil
	}
	if len(combos(sa.axes)) == 1 && sa.repeat == 1 {
		return "", nil, usagef("sweep: nothing varies: give a flag a comma list (e.g. --jitter none,full) or --repeat N; see stormbench sweep --help")
	}
	name := sa.name
	if name == "" {
		var flags []string
		for _, ax := range sa.axes {
			if len(ax.Values) > 1 {
				flags = append(flags, ax.Flag)
			}
		}
		name = strings.Join(flags, "-")
		if name == "" {
			name = "repeat"
		}
	}
	if !regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`).MatchString(name) {
		return "", nil, usagef("--name must be 1–64 letters, digits, '.', '_' or '-' (got %q)", name)
	}
	if err := checkWritable(sa.out); err != nil {
		return "", nil, usagef("--out %s: %v", sa.out, err)
	}
	now := time.Now()
	dir := filepath.Join(sa.out, now.Format("20060102-150405")+"-sweep-"+name)
	m := &reporter.SweepManifest{Format: 1, Name: name, Started: now, Axes: sa.axes, Repeat: sa.repeat, Seed: sa.seed,
		Command: append([]string{"stormbench", "sweep"}, experiment.RedactArgs(append(append([]string(nil), sa.base...), sweptArgs(sa)...))...)}
	for _, c := range combos(sa.axes) {
		label, d := sweepLabel(sa.axes, c)
		settings := map[string]string{}
		for i, ax := range sa.axes {
			settings[ax.Flag] = c[i]
		}
		for k := 0; k < sa.repeat; k++ {
			rd := d
			if sa.repeat > 1 {
				rd += fmt.Sprintf("-r%d", k+1)
			}
			m.Runs = append(m.Runs, reporter.SweepRun{Label: label, Settings: settings, Repeat: k + 1, Seed: sa.seed + uint64(k), Dir: rd, Status: reporter.SweepPending})
		}
	}
	return dir, m, nil
}

// sweptArgs writes the swept flags back as the user could have typed them.
func sweptArgs(sa *sweepArgs) []string {
	var out []string
	for _, ax := range sa.axes {
		out = append(out, "--"+ax.Flag, strings.Join(ax.Values, ","))
	}
	return append(out, "--repeat", strconv.Itoa(sa.repeat), "--seed", strconv.FormatUint(sa.seed, 10))
}
