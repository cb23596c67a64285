package reporter

import (
	"errors"
	"fmt"
	"strings"

	"github.com/stormbench/stormbench/loadgen"
)

// ShardID is one class of client IDs: those g with g mod Count == Index. A
// load-generator process covers one or more of them (loadgen.Shard; worker i
// of a machine shard (index, count) with n workers covers index + i·count of
// count·n).
type ShardID struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// ShardOf returns the client IDs a loadgen.Shard covers; the zero shard
// (no sharding) covers every client ID.
func ShardOf(s loadgen.Shard) ShardID {
	if s.Count <= 0 {
		return ShardID{Index: 0, Count: 1}
	}
	return ShardID{Index: s.Index, Count: s.Count}
}

// String writes the shard as "index/count".
func (s ShardID) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// valid reports whether the shard names a class.
func (s ShardID) valid() error {
	if s.Count < 1 || s.Index < 0 || s.Index >= s.Count {
		return fmt.Errorf("invalid shard %d/%d: want 0 ≤ index < count", s.Index, s.Count)
	}
	return nil
}

// maxCoverageClasses bounds the lcm of the shard counts a coverage check
// works with (it keeps one counter per residue class).
const maxCoverageClasses = 1 << 22

// Overlap is a pair of shards (indexes into CheckCoverage's have) that share
// client IDs.
type Overlap struct {
	First, Second int
}

// Coverage is what a set of shards covers of the client IDs wanted.
type Coverage struct {
	// Classes is the lcm of the shard counts: the check works on the
	// residue classes of client IDs modulo Classes.
	Classes int
	// Overlaps lists pairs of shards that share client IDs.
	Overlaps []Overlap
	// Duplicates describes the overlaps readably, e.g. "shard 1/4 given
	// twice", "shards 0/2 and 2/4 overlap".
	Duplicates []string
	// Missing lists the wanted client IDs no shard covers, as few classes
	// as the check finds (e.g. 3/4, or 1/8 and 5/8 as 1/4).
	Missing []ShardID
	// MissingClasses counts the missing residue classes modulo Classes.
	MissingClasses int
	// Outside lists covered client IDs that are not wanted.
	Outside []ShardID
}

// Complete reports whether every wanted client ID is covered exactly once
// and nothing else is.
func (c Coverage) Complete() bool {
	return len(c.Overlaps) == 0 && len(c.Missing) == 0 && len(c.Outside) == 0
}

// Problems describes what is wrong, readably: duplicates, then "missing
// 3/4", then "outside the wanted shards: 5/8".
func (c Coverage) Problems() []string {
	out := append([]string{}, c.Duplicates...)
	if len(c.Missing) > 0 {
		out = append(out, "missing "+joinShards(c.Missing))
	}
	if len(c.Outside) > 0 {
		out = append(out, "outside the wanted shards: "+joinShards(c.Outside))
	}
	return out
}

// joinShards writes shards as "1/4, 3/4".
func joinShards(s []ShardID) string {
	parts := make([]string, len(s))
	for i, x := range s {
		parts[i] = x.String()
	}
	return strings.Join(parts, ", ")
}

// CheckCoverage says whether the shards have cover the client IDs of want
// exactly once (want nil: every client ID). It works modulo the lcm of every
// count and refuses counts whose lcm exceeds 4 194 304 classes, and invalid
// shards.
func CheckCoverage(have, want []ShardID) (Coverage, error) {
	if len(want) == 0 {
		want = []ShardID{{Index: 0, Count: 1}}
	}
	l := 1
	for _, s := range append(append([]ShardID{}, have...), want...) {
		if err := s.valid(); err != nil {
			return Coverage{}, err
		}
		l = lcm(l, s.Count)
		if l > maxCoverageClasses {
			return Coverage{}, fmt.Errorf("shard counts %s need more than %d residue classes: refusing to check them", joinShards(append(append([]ShardID{}, have...), want...)), maxCoverageClasses)
		}
	}
	covered := make([]int32, l)
	for _, s := range have {
		for r := s.Index; r < l; r += s.Count {
			covered[r]++
		}
	}
	wanted := make([]bool, l)
	for _, s := range want {
		for r := s.Index; r < l; r += s.Count {
			wanted[r] = true
		}
	}
	c := Coverage{Classes: l}
	missing, outside := make([]bool, l), make([]bool, l)
	for r := range covered {
		missing[r] = wanted[r] && covered[r] == 0
		outside[r] = !wanted[r] && covered[r] > 0
		if missing[r] {
			c.MissingClasses++
		}
	}
	c.Missing = classes(missing)
	c.Outside = classes(outside)
	c.Overlaps, c.Duplicates = overlaps(have)
	return c, nil
}

// overlaps finds the pairs of shards that share client IDs: identical ones
// ("shard 1/4 given twice") and intersecting ones ("shards 0/2 and 2/4
// overlap"; a/m and b/n intersect when a ≡ b mod gcd(m, n)).
func overlaps(have []ShardID) ([]Overlap, []string) {
	var pairs []Overlap
	var text []string
	seen := make([]bool, len(have))
	for i, a := range have {
		if seen[i] {
			continue
		}
		copies := 1
		for j := i + 1; j < len(have); j++ {
			if have[j] == a {
				pairs = append(pairs, Overlap{i, j})
				seen[j] = true
				copies++
			}
		}
		switch copies {
		case 1:
		case 2:
			text = append(text, fmt.Sprintf("shard %s given twice", a))
		default:
			text = append(text, fmt.Sprintf("shard %s given %d times", a, copies))
		}
	}
	for i, a := range have {
		if seen[i] {
			continue
		}
		for j := i + 1; j < len(have); j++ {
			b := have[j]
			if seen[j] || a == b {
				continue
			}
			if g := gcd(a.Count, b.Count); a.Index%g == b.Index%g {
				pairs = append(pairs, Overlap{i, j})
				text = append(text, fmt.Sprintf("shards %s and %s overlap", a, b))
			}
		}
	}
	return pairs, text
}

// classes describes a set of residue classes modulo len(set) with few
// shards: for every divisor d of the modulus, smallest first, each residue r
// mod d whose classes all lie in the set and none of them is described yet.
func classes(set []bool) []ShardID {
	l := len(set)
	left := 0
	for _, in := range set {
		if in {
			left++
		}
	}
	var out []ShardID
	done := make([]bool, l)
	for d := 1; d <= l && left > 0; d++ {
		if l%d != 0 {
			continue
		}
	residues:
		for r := 0; r < d; r++ {
			for x := r; x < l; x += d {
				if !set[x] || done[x] {
					continue residues
				}
			}
			for x := r; x < l; x += d {
				done[x] = true
				left--
			}
			out = append(out, ShardID{Index: r, Count: d})
		}
	}
	return out
}

// normalizeCoverage returns the classes the shards cover, with as few
// shards as classes finds (worker shards 0/8 and 4/8 become 0/4); nil when
// have is nil.
func normalizeCoverage(have []ShardID) ([]ShardID, error) {
	if have == nil {
		return nil, nil
	}
	l := 1
	for _, s := range have {
		if err := s.valid(); err != nil {
			return nil, err
		}
		if l = lcm(l, s.Count); l > maxCoverageClasses {
			return nil, errors.New("shard counts need too many residue classes")
		}
	}
	set := make([]bool, l)
	for _, s := range have {
		for r := s.Index; r < l; r += s.Count {
			set[r] = true
		}
	}
	out := classes(set)
	if out == nil {
		out = []ShardID{}
	}
	return out, nil
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func lcm(a, b int) int { return a / gcd(a, b) * b }
