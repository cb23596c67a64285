package reporter

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stormbench/stormbench/loadgen"
)

// splitShards records the scenario over n recorders and returns their
// snapshots. Only recorder n-1 hears the server's affected count; recorder 0
// gets the facts with -1, which must lose.
func splitShards(t *testing.T, n int) []*Shard {
	t.Helper()
	recs := make([]*Recorder, n)
	for i := range recs {
		recs[i] = newTestRecorder()
	}
	info := scenarioInfo
	info.Affected = -1
	recs[0].StormInfo(0, info)
	feedAll(t, recs...)
	shards := make([]*Shard, n)
	for i, r := range recs {
		shards[i] = r.Snapshot(scenarioEnd)
		shards[i].Harness = HarnessUsage{}
	}
	return shards
}

func TestMergeEqualsSingleRecorder(t *testing.T) {
	for _, n := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("%d shards", n), func(t *testing.T) {
			single := scenarioShard(t)
			single.Harness = HarnessUsage{}
			merged, err := Merge(splitShards(t, n)...)
			if err != nil {
				t.Fatal(err)
			}
			merged.Harness = HarnessUsage{}
			if got, want := mustJSON(t, merged), mustJSON(t, single); got != want {
				t.Errorf("merged shard differs from one recorder:\n%s", firstDiff(got, want))
			}
			gs, ws := Summarize(merged, SummaryOptions{}), Summarize(single, SummaryOptions{})
			if got, want := mustJSON(t, gs), mustJSON(t, ws); got != want {
				t.Errorf("merged summary differs:\n%s", firstDiff(got, want))
			}
		})
	}
}

func TestMergeStormInfo(t *testing.T) {
	withCount := scenarioInfo
	withCount.Affected = 77
	tests := []struct {
		name  string
		infos []*loadgen.StormInfo // per shard
		want  int64
	}{
		{"server count wins over -1", []*loadgen.StormInfo{&scenarioInfo, &withCount}, 77},
		{"server count kept against -1", []*loadgen.StormInfo{&withCount, &scenarioInfo}, 77},
		{"facts from the only shard that has them", []*loadgen.StormInfo{nil, &withCount}, 77},
		{"clients' count when no server count", []*loadgen.StormInfo{&scenarioInfo, nil}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var shards []*Shard
			for _, info := range tt.infos {
				r := newTestRecorder()
				if info != nil {
					r.StormInfo(0, *info)
				}
				for i := 0; i < 5; i++ {
					events{r.Sink(0)}.StormAffected(0)
				}
				shards = append(shards, r.Snapshot(time.Second))
			}
			shards[1].Storms[0].AffectedCounted = 0 // count the affected clients once
			m, err := Merge(shards...)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Storms[0].affected(); got != tt.want {
				t.Errorf("affected = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestMergeErrors(t *testing.T) {
	base := func() *Shard {
		r := newTestRecorder()
		events{r.Sink(0)}.Cut(time.Second, "hold")
		return r.Snapshot(2 * time.Second)
	}
	tests := []struct {
		name   string
		mutate func(*Shard)
		want   string
	}{
		{"interval", func(s *Shard) { s.Interval = time.Second }, "interval"},
		{"start", func(s *Shard) { s.Start = s.Start.Add(time.Millisecond) }, "start"},
		{"format", func(s *Shard) { s.Format = 99 }, "format"},
		{"columns", func(s *Shard) { s.Columns = s.Columns[1:] }, "columns"},
		{"phase name", func(s *Shard) { s.Phases[1].Name = "storm-1" }, "phase 1"},
		{"row width", func(s *Shard) { s.Series[0] = s.Series[0][1:] }, "row 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			other := base()
			tt.mutate(other)
			_, err := Merge(base(), other)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Merge error = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	t.Run("none", func(t *testing.T) {
		if _, err := Merge(); err == nil {
			t.Error("Merge() succeeded")
		}
	})
	t.Run("nil", func(t *testing.T) {
		if _, err := Merge(base(), nil); err == nil {
			t.Error("Merge with a nil shard succeeded")
		}
	})
}

func TestMergeDoesNotModifyInputs(t *testing.T) {
	shards := splitShards(t, 2)
	before := mustJSON(t, shards)
	if _, err := Merge(shards...); err != nil {
		t.Fatal(err)
	}
	if _, err := Merge(shards[1], shards[0]); err != nil {
		t.Fatal(err)
	}
	if after := mustJSON(t, shards); after != before {
		t.Errorf("Merge modified its inputs:\n%s", firstDiff(after, before))
	}
}

func TestShardRoundTrip(t *testing.T) {
	dir := t.TempDir()
	shards := splitShards(t, 3)
	var read []*Shard
	for i, s := range shards {
		path := filepath.Join(dir, fmt.Sprintf("shard-%d.json", i))
		if err := WriteShard(path, s); err != nil {
			t.Fatal(err)
		}
		r, err := ReadShard(path)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := mustJSON(t, r), mustJSON(t, s); got != want {
			t.Fatalf("shard %d changed in a round trip:\n%s", i, firstDiff(got, want))
		}
		read = append(read, r)
	}
	got, err := Merge(read...)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Merge(shards...)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
		t.Errorf("merge of read shards differs:\n%s", firstDiff(g, w))
	}
	assertNoTempFiles(t, dir)
}

func TestReadShardErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, content string }{
		{"not json", "{"},
		{"bad histogram", `{"format":1,"phases":[{"name":"start","histograms":{"outage":"nope"}}]}`},
		{"format", `{"format":7}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "s.json")
			if err := WriteFileAtomic(path, []byte(tt.content)); err != nil {
				t.Fatal(err)
			}
			if _, err := ReadShard(path); err == nil {
				t.Error("ReadShard succeeded")
			}
		})
	}
	if _, err := ReadShard(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("ReadShard of a missing file succeeded")
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) && i < len(w); i++ {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d:\n got:  %s\n want: %s", i+1, g[i], w[i])
		}
	}
	return "lengths differ"
}
