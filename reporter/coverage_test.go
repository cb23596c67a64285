package reporter

import (
	"slices"
	"strings"
	"testing"

	"github.com/stormbench/stormbench/loadgen"
)

// sh builds shard IDs from "i/n" pairs.
func sh(pairs ...[2]int) []ShardID {
	out := make([]ShardID, len(pairs))
	for i, p := range pairs {
		out[i] = ShardID{Index: p[0], Count: p[1]}
	}
	return out
}

func TestCheckCoverage(t *testing.T) {
	tests := []struct {
		name       string
		have, want []ShardID
		complete   bool
		dups       []string
		missing    string // joined
		outside    string
		lost       [2]int // missing classes of classes
	}{
		{name: "whole run", have: sh([2]int{0, 1}), complete: true},
		{name: "two halves", have: sh([2]int{0, 2}, [2]int{1, 2}), complete: true},
		{name: "mixed counts 0/2 + 1/4 + 3/4", have: sh([2]int{0, 2}, [2]int{1, 4}, [2]int{3, 4}), complete: true},
		{name: "workers of two machines", have: sh([2]int{0, 4}, [2]int{2, 4}, [2]int{1, 6}, [2]int{3, 6}, [2]int{5, 6}), complete: true},
		{name: "one of two", have: sh([2]int{0, 2}), missing: "1/2", lost: [2]int{1, 2}},
		{name: "missing 3/4", have: sh([2]int{0, 2}, [2]int{1, 4}), missing: "3/4", lost: [2]int{1, 4}},
		{name: "missing classes coalesce", have: sh([2]int{0, 8}, [2]int{2, 8}, [2]int{3, 8}, [2]int{4, 8}, [2]int{6, 8}, [2]int{7, 8}), missing: "1/4", lost: [2]int{2, 8}},
		{name: "nothing", have: nil, missing: "0/1", lost: [2]int{1, 1}},
		{name: "same shard twice", have: sh([2]int{0, 2}, [2]int{1, 2}, [2]int{1, 2}), dups: []string{"shard 1/2 given twice"}},
		{name: "same shard three times", have: sh([2]int{1, 4}, [2]int{1, 4}, [2]int{1, 4}), dups: []string{"shard 1/4 given 3 times"}, missing: "0/2, 3/4", lost: [2]int{3, 4}},
		{name: "overlapping counts", have: sh([2]int{0, 2}, [2]int{2, 4}, [2]int{1, 2}), dups: []string{"shards 0/2 and 2/4 overlap"}},
		{name: "disjoint counts do not overlap", have: sh([2]int{0, 2}, [2]int{1, 4}, [2]int{3, 4}), complete: true},
		{name: "machine's workers", have: sh([2]int{1, 8}, [2]int{5, 8}), want: sh([2]int{1, 4}), complete: true},
		{name: "machine lost a worker", have: sh([2]int{1, 8}), want: sh([2]int{1, 4}), missing: "5/8", lost: [2]int{1, 8}},
		{name: "outside the machine", have: sh([2]int{1, 8}, [2]int{5, 8}, [2]int{2, 8}), want: sh([2]int{1, 4}), outside: "2/8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := CheckCoverage(tt.have, tt.want)
			if err != nil {
				t.Fatal(err)
			}
			if c.Complete() != tt.complete {
				t.Errorf("complete = %v, want %v (problems %v)", c.Complete(), tt.complete, c.Problems())
			}
			if !slices.Equal(c.Duplicates, tt.dups) {
				t.Errorf("duplicates %q, want %q", c.Duplicates, tt.dups)
			}
			if got := joinShards(c.Missing); got != tt.missing {
				t.Errorf("missing %q, want %q", got, tt.missing)
			}
			if got := joinShards(c.Outside); got != tt.outside {
				t.Errorf("outside %q, want %q", got, tt.outside)
			}
			if tt.lost != [2]int{} && (c.MissingClasses != tt.lost[0] || c.Classes != tt.lost[1]) {
				t.Errorf("missing %d of %d classes, want %d of %d", c.MissingClasses, c.Classes, tt.lost[0], tt.lost[1])
			}
			if tt.missing != "" && !slices.Contains(c.Problems(), "missing "+tt.missing) {
				t.Errorf("problems %q lack %q", c.Problems(), "missing "+tt.missing)
			}
		})
	}
}

func TestCheckCoverageRefuses(t *testing.T) {
	tests := []struct {
		name string
		have []ShardID
		want string
	}{
		{"index out of range", sh([2]int{2, 2}), "invalid shard 2/2"},
		{"zero count", sh([2]int{0, 0}), "invalid shard 0/0"},
		{"negative index", sh([2]int{-1, 4}), "invalid shard -1/4"},
		{"absurd lcm", sh([2]int{0, 2003}, [2]int{0, 2011}, [2]int{0, 2017}), "residue classes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := CheckCoverage(tt.have, nil); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestNormalizeCoverage(t *testing.T) {
	tests := []struct {
		have []ShardID
		want string
	}{
		{sh([2]int{0, 8}, [2]int{4, 8}), "0/4"},
		{sh([2]int{0, 2}, [2]int{1, 4}, [2]int{3, 4}), "0/1"},
		{sh([2]int{1, 6}, [2]int{3, 6}, [2]int{5, 6}, [2]int{0, 4}), "1/2, 0/4"},
		{[]ShardID{}, ""},
	}
	for _, tt := range tests {
		got, err := normalizeCoverage(tt.have)
		if err != nil {
			t.Fatal(err)
		}
		if joinShards(got) != tt.want || got == nil {
			t.Errorf("normalize %v = %v, want %s", tt.have, got, tt.want)
		}
	}
}

func TestShardOf(t *testing.T) {
	if got := ShardOf(loadgen.Shard{}); got != (ShardID{0, 1}) {
		t.Errorf("unsharded = %v, want 0/1", got)
	}
	if got := ShardOf(loadgen.Shard{Index: 3, Count: 8}); got.String() != "3/8" {
		t.Errorf("3/8 = %v", got)
	}
}
