package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/measure"

	"github.com/stormbench/stormbench/loadgen"
	"github.com/stormbench/stormbench/reporter"
)

// testShardStart is the start of the synthetic runs whose shards the merge
// tests write.
var testShardStart = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// writeShard writes the results folder of one synthetic load-generator
// shard: clients connect, a storm the server counted as 20 affected hits
// `hit` of them, who all recover. A nil coverage writes a shard as
// stormbench wrote them before shards recorded their coverage; seed makes
// shards with equal coverage differ.
func writeShard(t *testing.T, dir, runID string, cov []reporter.ShardID, hit, seed int) string {
	t.Helper()
	r := reporter.NewRecorder(reporter.Options{Start: testShardStart, RunID: runID, Coverage: cov})
	s := r.Sink(0)
	connect := func(at time.Duration) {
		s.Record(at, measure.Attempts, 1)
		s.Record(at, measure.Connects, 1)
		s.Observe(measure.ConnectLatency, int64(time.Millisecond))
	}
	for i := 0; i < 10+seed; i++ {
		connect(time.Duration(i) * time.Millisecond)
	}
	s.Cut(time.Second, "storm-1")
	r.StormInfo(0, loadgen.StormInfo{Fault: "abort", T0: time.Second, End: 2 * time.Second, Affected: 20})
	for i := 0; i < hit; i++ {
		s.RecordKey(time.Second, measure.DisconnectCauses, int(measure.CauseReset))
		s.Storm(0, loadgen.StormEvent{Kind: loadgen.StormDetected, Detect: 5 * time.Millisecond, Cause: measure.CauseReset})
		connect(time.Second + 100*time.Millisecond)
		s.Record(time.Second+101*time.Millisecond, measure.Reconnects, 1)
		s.Observe(measure.ReconnectLatency, int64(96*time.Millisecond))
		s.Observe(measure.AttemptsPerRecovery, 1)
		s.Storm(0, loadgen.StormEvent{Kind: loadgen.StormRecovered, Reconnect: 96 * time.Millisecond, Outage: 101 * time.Millisecond, Attempts: 1})
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := reporter.WriteShard(filepath.Join(dir, shardFile), r.Snapshot(3*time.Second)); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestMergeCommand(t *testing.T) {
	half := func(i int) []reporter.ShardID { return []reporter.ShardID{{Index: i, Count: 2}} }
	tests := []struct {
		name    string
		shards  func(root string) []string
		partial bool
		code    int
		want    []string // substrings of the error (code 2) or of stdout (code 0)
		missing []string // the merged summary's missing shards
		reason  string   // a substring of a partial reason
	}{
		{name: "complete", shards: func(root string) []string {
			return []string{writeShard(t, root+"/a", "run", half(0), 10, 0), writeShard(t, root+"/b", "run", half(1), 10, 1)}
		}, want: []string{"recovered 20 (100.0%)"}},
		{name: "the same folder twice", shards: func(root string) []string {
			a := writeShard(t, root+"/a", "run", half(0), 10, 0)
			return []string{a, writeShard(t, root+"/b", "run", half(1), 10, 1), a}
		}, code: exitUsage, want: []string{"/a and ", "/a are the same shard given twice"}},
		{name: "two shards claim 1/2", shards: func(root string) []string {
			return []string{writeShard(t, root+"/a", "run", half(0), 10, 0), writeShard(t, root+"/b", "run", half(1), 10, 1), writeShard(t, root+"/c", "run", half(1), 10, 2)}
		}, code: exitUsage, want: []string{"shard 1/2 given twice (", "/b and ", "/c)"}},
		{name: "given twice, even with --partial", partial: true, shards: func(root string) []string {
			return []string{writeShard(t, root+"/a", "run", half(0), 10, 0), writeShard(t, root+"/c", "run", half(0), 10, 2)}
		}, code: exitUsage, want: []string{"shard 0/2 given twice"}},
		{name: "one of two", shards: func(root string) []string {
			return []string{writeShard(t, root+"/a", "run", half(0), 10, 0)}
		}, code: exitUsage, want: []string{"missing 1/2", "use --partial"}},
		{name: "missing 3/4 of mixed counts", shards: func(root string) []string {
			return []string{writeShard(t, root+"/a", "run", half(0), 5, 0), writeShard(t, root+"/b", "run", []reporter.ShardID{{Index: 1, Count: 4}}, 5, 1)}
		}, code: exitUsage, want: []string{"missing 3/4"}},
		{name: "one of two, --partial", partial: true, shards: func(root string) []string {
			return []string{writeShard(t, root+"/a", "run", half(0), 10, 0)}
		}, want: []string{"PARTIAL RESULTS", "recovered 10 of the clients still reporting; 1 of 2 load-generator shards lost — recovery percentiles not computed", "PARTIAL)"},
			missing: []string{"1/2"}, reason: "merged on purpose with --partial"},
		{name: "different runs", shards: func(root string) []string {
			return []string{writeShard(t, root+"/a", "run-1", half(0), 10, 0), writeShard(t, root+"/b", "run-2", half(1), 10, 1)}
		}, code: exitUsage, want: []string{`belongs to run "run-2"`, "different runs"}},
		{name: "shards without coverage", shards: func(root string) []string {
			return []string{writeShard(t, root+"/a", "", nil, 10, 0), writeShard(t, root+"/b", "", nil, 10, 1)}
		}, want: []string{"PARTIAL RESULTS", "record no client coverage"}, reason: "a missing or repeated shard could not be detected"},
		{name: "a shard without coverage among others", shards: func(root string) []string {
			return []string{writeShard(t, root+"/a", "", nil, 10, 0), writeShard(t, root+"/b", "", half(1), 10, 1)}
		}, code: exitUsage, want: []string{"no client coverage recorded in ", "use --partial"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			out := filepath.Join(root, "merged")
			args := []string{"merge", "--out", out}
			if tt.partial {
				args = append(args, "--partial")
			}
			var stdout, stderr bytes.Buffer
			err := dispatch(context.Background(), append(args, tt.shards(root)...), &stdout, &stderr)
			if code := exitCode(err, &stderr); code != tt.code {
				t.Fatalf("exit code %d (%v), want %d\n%s", code, err, tt.code, stdout.String())
			}
			if tt.code != exitOK {
				for _, w := range tt.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				if _, err := os.Stat(out); err == nil {
					t.Error("a refused merge wrote results")
				}
				return
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, stdout.String())
				}
			}
			sum, err := reporter.ReadSummary(out)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(sum.MissingShards, ",") != strings.Join(tt.missing, ",") {
				t.Errorf("missing shards %v, want %v", sum.MissingShards, tt.missing)
			}
			if sum.Partial != (tt.reason != "") || !strings.Contains(strings.Join(sum.PartialReasons, "\n"), tt.reason) {
				t.Errorf("partial %v, reasons %q; want a reason with %q", sum.Partial, sum.PartialReasons, tt.reason)
			}
			if len(tt.missing) > 0 && (!sum.Storms[0].Incomplete || sum.Storms[0].RecoveryMs != nil) {
				t.Errorf("storm of a partial merge: %+v", sum.Storms[0])
			}
			merged, err := reporter.ReadShard(filepath.Join(out, shardFile))
			if err != nil {
				t.Fatal(err)
			}
			if tt.reason != "" && len(merged.PartialReasons) == 0 && len(tt.missing) == 0 {
				t.Error("the merged shard.json does not say it is partial")
			}
		})
	}
}

func TestReportCommand(t *testing.T) {
	// A valid summary, then the same without the fields this version added.
	r := reporter.NewRecorder(reporter.Options{Start: testShardStart})
	r.Sink(0).Record(0, measure.Attempts, 1)
	r.Sink(0).Record(0, measure.Connects, 1)
	r.Sink(0).Observe(measure.ConnectLatency, int64(time.Millisecond))
	good, err := json.Marshal(reporter.Summarize(r.Snapshot(time.Second), reporter.SummaryOptions{}))
	if err != nil {
		t.Fatal(err)
	}
	var old map[string]any
	_ = json.Unmarshal(good, &old)
	for _, k := range []string{"format", "partial", "partial_reasons", "missing_shards", "events"} {
		delete(old, k)
	}
	legacy, _ := json.Marshal(old)
	tests := []struct {
		name    string
		content string
		code    int
		want    string
	}{
		{"current", string(good), exitOK, "totals"},
		{"before format 2", string(legacy), exitOK, "connects 1"},
		{"empty object", "{}", exitUsage, "not a valid stormbench summary: no started_at; no harness processes"},
		{"attempts do not add up", strings.Replace(string(good), `"attempts":1`, `"attempts":7`, 1), exitUsage, "attempts 7 ≠ connects 1 + failures 0"},
		{"not JSON", "nope", exitUsage, "decode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, reporter.SummaryFile)
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			err := dispatch(context.Background(), []string{"report", dir}, &stdout, &stderr)
			if code := exitCode(err, &stderr); code != tt.code {
				t.Fatalf("exit code %d (%v), want %d", code, err, tt.code)
			}
			if tt.code == exitOK {
				if !strings.Contains(stdout.String(), tt.want) {
					t.Errorf("output lacks %q:\n%s", tt.want, stdout.String())
				}
				return
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q: want one naming %s and saying %q", err, path, tt.want)
			}
			if strings.Contains(stdout.String(), "totals") {
				t.Errorf("printed a summary of an invalid file:\n%s", stdout.String())
			}
		})
	}
}
