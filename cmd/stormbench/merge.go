package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/stormbench/stormbench/reporter"
)

const mergeUsage = `Usage: stormbench merge --out DIR SHARD...

Joins the partial results of one run into one results folder, exactly: HDR
histograms merge, counters and time series add. A SHARD is a results folder
written by "stormbench run --shard i/n --start-at T" (it holds shard.json) or
a shard.json file. Shards must come from the same run (same run ID, --start-at
and --interval) and together cover every client exactly once: a shard given
twice, overlapping shards or missing shards are refused (exit 2) and named.
--partial merges a set that misses shards on purpose; the result is then
marked partial, lists the missing shards, and its storms give no recovered
share or recovery time (the server counted clients whose results are lost).
Shards written before shards recorded their run ID and coverage are merged
as before, but marked partial: only a shard file given twice is detected,
not a missing one (mixing them with newer shards needs --partial).

Examples:
  # four machines ran shards 0/4 … 3/4 of one run; their folders were copied here
  stormbench merge --out results/merged-abort results/*-shard-*-of-4

  # merge two shard files
  stormbench merge --out results/merged a/shard.json b/shard.json

  # machine 3 of 4 was lost: merge the other three, marked partial
  stormbench merge --partial --out results/merged-partial m0 m1 m2
`

// mergedConfig is the config.json of a merged folder.
type mergedConfig struct {
	MergedFrom []string          `json:"merged_from"`
	Merged     time.Time         `json:"merged"`
	Configs    []json.RawMessage `json:"configs,omitempty"`
	Host       hostFacts         `json:"host"`
}

func mergeCmd(_ context.Context, args []string, stdout, _ io.Writer) error {
	cmd := newCommand("stormbench merge", mergeUsage, stdout)
	var out string
	var bound time.Duration
	var allowPartial bool
	cmd.fs.StringVar(&out, "out", "", "results folder to write (must not exist yet)")
	cmd.fs.DurationVar(&bound, "lateness-bound", 5*time.Millisecond, "flag the merged run saturated when timer lateness p99 exceeds this")
	cmd.fs.BoolVar(&allowPartial, "partial", false, "merge shards that do not cover every client (or whose coverage is unknown) and mark the result partial")
	if err := cmd.parse(args); err != nil {
		return err
	}
	if out == "" {
		return usagef("merge needs --out DIR")
	}
	if cmd.fs.NArg() == 0 {
		return usagef("merge needs at least one SHARD (a results folder or a shard.json)")
	}
	if _, err := os.Stat(out); err == nil {
		return usagef("--out %s already exists; choose a new folder", out)
	}
	var shards []*reporter.Shard
	var unknown []string // shards that do not say which clients they hold
	seen := map[[sha256.Size]byte]string{}
	mc := mergedConfig{Merged: time.Now(), Host: readHostFacts()}
	interrupted := false
	for _, p := range cmd.fs.Args() {
		path := p
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			path = filepath.Join(p, shardFile)
			if b, err := os.ReadFile(filepath.Join(p, reporter.ConfigFile)); err == nil {
				mc.Configs = append(mc.Configs, json.RawMessage(b))
			}
			if sum, err := reporter.ReadSummary(p); err == nil && sum.Interrupted {
				interrupted = true
			}
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return usagef("merge: %v", err)
		}
		digest := sha256.Sum256(b)
		if first, ok := seen[digest]; ok {
			return usagef("merge: %s and %s are the same shard given twice", first, p)
		}
		seen[digest] = p
		s, err := reporter.ReadShard(path)
		if err != nil {
			return usagef("merge: %v", err)
		}
		if s.Coverage == nil && s.Loops > 0 {
			unknown = append(unknown, p)
		}
		shards = append(shards, s)
		mc.MergedFrom = append(mc.MergedFrom, p)
	}
	merged, err := reporter.MergeWith(reporter.MergeOptions{AllowPartial: allowPartial, Names: mc.MergedFrom}, shards...)
	if err != nil {
		if ce := (*reporter.CoverageError)(nil); errors.As(err, &ce) && ce.Partial() {
			return usagef("%v; use --partial to merge an incomplete set on purpose", err)
		}
		return usagef("%v", err)
	}
	if len(unknown) > 0 {
		merged.PartialReasons = append(merged.PartialReasons, fmt.Sprintf(
			"%s record no client coverage (written before shards recorded it): a missing or repeated shard could not be detected", strings.Join(unknown, ", ")))
	}
	sum := reporter.Summarize(merged, reporter.SummaryOptions{LatenessBound: bound, Interrupted: interrupted})
	if allowPartial && sum.Partial {
		sum.PartialReasons = append(sum.PartialReasons, fmt.Sprintf("merged on purpose with --partial from %d shard(s)", len(shards)))
	}
	if err := reporter.WriteRun(out, merged, sum, mc); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	if err := reporter.WriteShard(filepath.Join(out, shardFile), merged); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	if err := reporter.PrintSummary(stdout, sum); err != nil {
		return err
	}
	if sum.Partial {
		fmt.Fprintf(stdout, "\nresults: %s (merged from %d shards, PARTIAL)\n", out, len(shards))
		return nil
	}
	fmt.Fprintf(stdout, "\nresults: %s (merged from %d shards)\n", out, len(shards))
	return nil
}
