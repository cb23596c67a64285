package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/stormbench/stormbench/reporter"
)

const mergeUsage = `Usage: stormbench merge --out DIR SHARD...

Joins the partial results of one run into one results folder, exactly: HDR
histograms merge, counters and time series add. A SHARD is a results folder
written by "stormbench run --shard i/n --start-at T" (it holds shard.json) or
a shard.json file. Shards must come from the same run (same --start-at and
--interval).

Examples:
  # four machines ran shards 0/4 … 3/4 of one run; their folders were copied here
  stormbench merge --out results/merged-abort results/*-shard-*-of-4

  # merge two shard files
  stormbench merge --out results/merged a/shard.json b/shard.json
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
	cmd.fs.StringVar(&out, "out", "", "results folder to write (must not exist yet)")
	cmd.fs.DurationVar(&bound, "lateness-bound", 5*time.Millisecond, "flag the merged run saturated when timer lateness p99 exceeds this")
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
		s, err := reporter.ReadShard(path)
		if err != nil {
			return usagef("merge: %v", err)
		}
		shards = append(shards, s)
		mc.MergedFrom = append(mc.MergedFrom, p)
	}
	merged, err := reporter.Merge(shards...)
	if err != nil {
		return usagef("%v", err)
	}
	sum := reporter.Summarize(merged, reporter.SummaryOptions{LatenessBound: bound, Interrupted: interrupted})
	if err := reporter.WriteRun(out, merged, sum, mc); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	if err := reporter.WriteShard(filepath.Join(out, shardFile), merged); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	if err := reporter.PrintSummary(stdout, sum); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nresults: %s (merged from %d shards)\n", out, len(shards))
	return nil
}
