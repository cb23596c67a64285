package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/stormbench/stormbench/loadgen"
)

const policiesUsage = `stormbench policies — the reconnect presets and the frameworks' defaults

Usage:
  stormbench policies [--format text|markdown|json] [--preset NAME,…]

Lists every preset "run --policy" takes: the client library and version it
reproduces, its formula with the source it was read from, the library's own
connect timeout (– where it has none and --connect-timeout applies), when its
retry count resets, and the mean delay of its first six retries. Then, for
each framework's --protocol, the preset and heartbeat a run takes by default
(its reference client's) unless --policy, a backoff flag or a --heartbeat
flag is given. Nothing is started; the output is the table the run uses.

Examples:
  stormbench policies
  stormbench policies --preset socketio,signalr
  stormbench policies --format markdown > presets.md
`

// meanRetries is how many retries' mean delays the table shows: enough
// for the shape of a formula (growth, cap, a table's steps).
const meanRetries = 6

func policiesCmd(_ context.Context, args []string, stdout, _ io.Writer) error {
	cmd := newCommand("stormbench policies", policiesUsage, stdout)
	format := cmd.fs.String("format", "text", "output: text, markdown or json")
	var only []string
	cmd.fs.StringSliceVar(&only, "preset", nil, "list only the preset `NAME` and the protocols that take it (repeatable or a comma list)")
	if err := cmd.parse(args); err != nil {
		return err
	}
	f, err := parsePoliciesFormat(*format)
	if err != nil {
		return usagef("--format %v", err)
	}
	if rest := cmd.fs.Args(); len(rest) > 0 {
		return usagef("policies takes no arguments (got %q); see stormbench policies --help", rest)
	}
	if cmd.fs.Changed("preset") && len(only) == 0 {
		return usagef("--preset must be one of %s (got \"\")", joinPresets())
	}
	want, err := presetFilter(only)
	if err != nil {
		return usagef("--preset %v", err)
	}
	return buildPolicyTable(want).write(stdout, f)
}

// policiesFormat is how the table is written.
type policiesFormat uint8

// Formats of stormbench policies.
const (
	policiesText policiesFormat = iota
	policiesMarkdown
	policiesJSON
)

// parsePoliciesFormat reads text, markdown (or md, as compare takes it) or json.
func parsePoliciesFormat(s string) (policiesFormat, error) {
	switch s {
	case "text":
		return policiesText, nil
	case "markdown", "md":
		return policiesMarkdown, nil
	case "json":
		return policiesJSON, nil
	}
	return 0, fmt.Errorf("must be text, markdown or json (got %q)", s)
}

// presetFilter checks the names of --preset; nil means every preset.
func presetFilter(names []string) (map[loadgen.Preset]bool, error) {
	if len(names) == 0 {
		return nil, nil
	}
	known := loadgen.Presets()
	want := map[loadgen.Preset]bool{}
	for _, n := range names {
		p := loadgen.Preset(strings.TrimSpace(n))
		if !slices.Contains(known, p) {
			return nil, fmt.Errorf("must be one of %s (got %q)", joinPresets(), n)
		}
		want[p] = true
	}
	return want, nil
}

// policyTable is what stormbench policies shows.
type policyTable struct {
	Presets   []presetRow
	Protocols []protocolRow
}

// presetRow is one preset as the run resolves it.
type presetRow struct {
	Name    loadgen.Preset
	Library string
	// Formula is the formula with its source, as config.json records it.
	Formula string
	// Jitter is the jitter the record names (proportional: v·(1 ± f)).
	Jitter loadgen.Jitter
	// ConnectTimeout is the library's own; 0 when --connect-timeout applies.
	ConnectTimeout time.Duration
	// ResetAfter is the uptime after which the retry count resets; 0 on connect.
	ResetAfter time.Duration
	// MaxRetries is the count after which the preset gives up; 0 when it
	// does not give up by count (its formula says whether it does otherwise).
	MaxRetries int
	// Mean holds the mean delays of retries 0 … meanRetries−1; nil where
	// the preset has given up.
	Mean []*time.Duration
}

// protocolRow is a framework's protocol and what it takes by default.
type protocolRow struct {
	Protocol loadgen.Protocol
	Doc      string
	// Library and Version name the reference client, Source where its
	// timing was read.
	Library string
	Version string
	Source  string
	// Preset is the reconnect preset; "" when the client has none and
	// the generic backoff applies.
	Preset    loadgen.Preset
	Heartbeat loadgen.Heartbeat
}

// buildPolicyTable reads the presets and the frameworks' reference
// clients from loadgen; want (nil: all) keeps only some presets and the
// protocols that take them.
func buildPolicyTable(want map[loadgen.Preset]bool) *policyTable {
	t := &policyTable{Presets: []presetRow{}, Protocols: []protocolRow{}}
	for _, p := range loadgen.Presets() {
		if want != nil && !want[p] {
			continue
		}
		t.Presets = append(t.Presets, newPresetRow(p))
	}
	for _, p := range loadgen.Protocols() {
		if !p.Framework() {
			continue
		}
		ref, preset, hb, ok := p.Reference()
		if !ok || (want != nil && !want[preset]) {
			continue
		}
		t.Protocols = append(t.Protocols, protocolRow{Protocol: p, Doc: p.Doc(), Library: ref.Library, Version: ref.Version,
			Source: ref.Source, Preset: preset, Heartbeat: hb})
	}
	return t
}

// newPresetRow resolves preset p as a run does and computes its means.
func newPresetRow(p loadgen.Preset) presetRow {
	pol := loadgen.Policy{Preset: p}
	r := pol.Resolve()
	row := presetRow{Name: p, Library: p.Library(), Formula: r.Formula, Jitter: r.Jitter,
		ConnectTimeout: pol.ConnectTimeout(), ResetAfter: r.ResetAfter, MaxRetries: r.MaxRetries}
	// A decorrelated delay is drawn from the previous one, so the mean of
	// retry n exists only given it: each retry starts from the previous
	// retry's mean, which is exact while 3 × the previous delay stays under
	// the cap (the expectation is linear there). The preset's record holds
	// the constants its formula runs with.
	generic := loadgen.Policy{Base: r.Base, Max: r.Max, Multiplier: r.Multiplier, Jitter: r.Jitter}
	// A preset that draws its base once (reconnecting-websocket: 1–5 s,
	// once per run from --seed) is averaged over that draw, as a draw per
	// client (RunDraw < 0) averages it; the draw 0 a zero Policy holds is
	// its shortest.
	meanPol := loadgen.Policy{Preset: p, RunDraw: -1}
	var prev time.Duration
	for n := range meanRetries {
		if r.MaxRetries > 0 && n >= r.MaxRetries {
			row.Mean = append(row.Mean, nil)
			continue
		}
		m := meanPol.MeanDelay(n, 0)
		if r.Jitter == loadgen.JitterDecorrelated {
			m = generic.MeanDelay(n, prev)
			prev = m
		}
		row.Mean = append(row.Mean, &m)
	}
	return row
}
