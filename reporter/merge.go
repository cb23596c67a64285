package reporter

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/stormbench/stormbench/internal/measure"
)

// MergeOptions configures MergeWith.
type MergeOptions struct {
	// AllowPartial merges shards that do not cover every wanted client ID
	// (a worker or machine whose results are lost): the result's Coverage
	// then shows what is missing, and its summary is partial. It also
	// merges shards with declared coverage together with shards without
	// (the result's coverage is then unknown: nil). Without it such sets
	// are refused. Overlapping shards are always refused.
	AllowPartial bool
	// Want is the client IDs the merged shards should cover: nil means
	// every client ID (a whole run). The workers of one machine shard i/n
	// want [{i, n}].
	Want []ShardID
	// Names labels the shards in error messages (their paths, say); a
	// shard without a name is "shard <position>".
	Names []string
}

// Merge is MergeWith with default options: the shards must cover every
// client ID exactly once when they declare their coverage.
func Merge(shards ...*Shard) (*Shard, error) {
	return MergeWith(MergeOptions{}, shards...)
}

// MergeWith joins shards of one run into a new shard, exactly: merging the
// shards of several recorders equals one recorder that saw every event.
// Histograms merge; counters and time series add (a shorter series carries
// its gauges forward; host gauges take the maximum); phases and storms merge
// by index. A storm's coordinator facts come from whichever shard has them,
// one with a server-reported Affected count (≥ 0) winning over one with -1.
// Harness usage is summed, events are joined in time order.
//
// It refuses shards of different run IDs, shards whose coverage overlaps
// (the same shard given twice) or lies outside o.Want, and — unless
// o.AllowPartial — a set that misses part of o.Want, or that mixes shards
// with and without declared coverage. A shard that recorded no loops (a
// coordinator's) needs no coverage. When no shard declares coverage (shards
// written before coverage existed) nothing can be checked and the result's
// coverage is unknown (nil): the caller decides how to flag that. It also returns an error when the shards disagree on
// start, interval, format, columns or phase names. The arguments are not
// modified.
func MergeWith(o MergeOptions, shards ...*Shard) (*Shard, error) {
	if len(shards) == 0 {
		return nil, errors.New("merge: no shards")
	}
	name := func(i int) string {
		if i < len(o.Names) && o.Names[i] != "" {
			return o.Names[i]
		}
		return fmt.Sprintf("shard %d", i)
	}
	for i, s := range shards {
		if s == nil {
			return nil, fmt.Errorf("merge: %s is nil", name(i))
		}
	}
	for i, s := range shards[1:] {
		if s.RunID != shards[0].RunID {
			return nil, fmt.Errorf("merge: %s belongs to run %q, %s to run %q: shards of different runs do not merge",
				name(i+1), s.RunID, name(0), shards[0].RunID)
		}
	}
	coverage, err := mergeCoverage(o, shards, name)
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	out := newShard(shards[0].Start, shards[0].Interval, 0)
	out.Columns = slices.Clone(shards[0].Columns)
	out.RunID = shards[0].RunID
	out.Coverage = coverage
	if coverage != nil && o.Want != nil {
		out.Scope = slices.Clone(o.Want)
	}
	for i, s := range shards {
		if err := out.add(s); err != nil {
			return nil, fmt.Errorf("merge %s: %w", name(i), err)
		}
	}
	out.closePhases()
	return out, nil
}

// mergeCoverage checks the coverage of the shards against o.Want and
// returns the merged coverage (nil when unknown).
func mergeCoverage(o MergeOptions, shards []*Shard, name func(int) string) ([]ShardID, error) {
	var have []ShardID
	var owner []int // shard of every entry of have
	var unknown []string
	declared := false
	for i, s := range shards {
		if s.Coverage == nil {
			if s.Loops > 0 {
				unknown = append(unknown, name(i))
			}
			continue
		}
		declared = true
		for _, c := range s.Coverage {
			have = append(have, c)
			owner = append(owner, i)
		}
	}
	if !declared {
		// Shards from before coverage existed: nothing to check, and
		// nothing known about the result.
		return nil, nil
	}
	c, err := CheckCoverage(have, o.Want)
	if err != nil {
		return nil, err
	}
	ce := &CoverageError{}
	seen := map[int]bool{}
	for _, ov := range c.Overlaps {
		a, b := have[ov.First], have[ov.Second]
		key := owner[ov.First]*len(shards) + owner[ov.Second]
		if seen[key] {
			continue
		}
		seen[key] = true
		if a == b {
			ce.Duplicates = append(ce.Duplicates, fmt.Sprintf("shard %s given twice (%s and %s)", a, name(owner[ov.First]), name(owner[ov.Second])))
		} else {
			ce.Duplicates = append(ce.Duplicates, fmt.Sprintf("shards %s (%s) and %s (%s) overlap", a, name(owner[ov.First]), b, name(owner[ov.Second])))
		}
	}
	ce.Outside = c.Outside
	ce.Want = wantOrAll(o.Want)
	if !o.AllowPartial {
		ce.Missing, ce.MissingClasses, ce.Classes = c.Missing, c.MissingClasses, c.Classes
		ce.Unknown = unknown
	}
	if len(ce.Duplicates)+len(ce.Outside)+len(ce.Missing)+len(ce.Unknown) > 0 {
		return nil, ce
	}
	if len(unknown) > 0 {
		// A partial merge with shards of unknown coverage: what the result
		// covers is unknown too.
		return nil, nil
	}
	return normalizeCoverage(have)
}

// CoverageError is why MergeWith refused a set of shards for what they
// cover.
type CoverageError struct {
	// Duplicates describes shards given twice or overlapping, by name;
	// always refused.
	Duplicates []string
	// Outside lists covered client IDs outside Want; always refused.
	Outside []ShardID
	// Want is the coverage the merge wanted.
	Want []ShardID
	// Missing lists the wanted client IDs no shard covers (MissingClasses
	// of Classes residue classes); refused unless a partial merge is
	// allowed.
	Missing                 []ShardID
	MissingClasses, Classes int
	// Unknown names shards with loops but no declared coverage; refused
	// unless a partial merge is allowed.
	Unknown []string
}

// Partial reports whether a partial merge would accept the set: nothing is
// given twice and nothing lies outside.
func (e *CoverageError) Partial() bool { return len(e.Duplicates) == 0 && len(e.Outside) == 0 }

// Error lists the problems.
func (e *CoverageError) Error() string {
	problems := append([]string{}, e.Duplicates...)
	if len(e.Outside) > 0 {
		problems = append(problems, fmt.Sprintf("clients %s are outside the shards wanted (%s)", joinShards(e.Outside), joinShards(e.Want)))
	}
	if len(e.Missing) > 0 {
		problems = append(problems, fmt.Sprintf("missing %s (%d of %d client-ID classes not covered)", joinShards(e.Missing), e.MissingClasses, e.Classes))
	}
	if len(e.Unknown) > 0 {
		problems = append(problems, fmt.Sprintf("no client coverage recorded in %s (written before shards recorded it?), so duplicates and gaps with it cannot be checked", strings.Join(e.Unknown, ", ")))
	}
	return strings.Join(problems, "; ")
}

// wantOrAll returns want, or every client ID when it is empty.
func wantOrAll(want []ShardID) []ShardID {
	if len(want) == 0 {
		return []ShardID{{Index: 0, Count: 1}}
	}
	return want
}

// add adds the contents of s to the receiver (everything but run ID and
// coverage, which MergeWith checks).
func (d *Shard) add(s *Shard) error {
	switch {
	case s == nil:
		return errors.New("nil shard")
	case s.Format != d.Format:
		return fmt.Errorf("format %d differs from %d", s.Format, d.Format)
	case s.Interval != d.Interval:
		return fmt.Errorf("interval %v differs from %v", s.Interval, d.Interval)
	case !s.Start.Equal(d.Start):
		return fmt.Errorf("start %v differs from %v", s.Start, d.Start)
	case !slices.Equal(s.Columns, d.Columns):
		return fmt.Errorf("series columns %v differ from %v", s.Columns, d.Columns)
	}
	if err := d.addSeries(s.Series); err != nil {
		return err
	}
	for i, p := range s.Phases {
		if i == len(d.Phases) {
			d.Phases = append(d.Phases, Phase{Name: p.Name, Start: p.Start, Histograms: map[string]*Hist{}})
		}
		q := &d.Phases[i]
		if q.Name != p.Name {
			return fmt.Errorf("phase %d is %q, not %q", i, p.Name, q.Name)
		}
		q.Start = min(q.Start, p.Start)
		for name, h := range p.Histograms {
			mergeInto(q.Histograms, name, h)
		}
	}
	for i := range s.Storms {
		for len(d.Storms) <= i {
			d.Storms = append(d.Storms, newStorm())
		}
		d.Storms[i].add(&s.Storms[i])
	}
	if err := d.addKeys(s); err != nil {
		return err
	}
	d.addReasons(s.PartialReasons...)
	d.addEvents(s.Events)
	d.EventsDropped += s.EventsDropped
	d.HostSamples += s.HostSamples
	d.Kernel = minKernel(d.Kernel, s.Kernel)
	d.End = max(d.End, s.End)
	d.Loops += s.Loops
	d.Harness = d.Harness.plus(s.Harness)
	return nil
}

// plus is the usage of two sets of processes together. The processes'
// own memory is known only if it is for both (a process that does not
// tell it records 0, and a sum without it would be too small, silently).
func (u HarnessUsage) plus(o HarnessUsage) HarnessUsage {
	known := func(h HarnessUsage) bool { return h.Processes == 0 || h.PeakAnonBytes > 0 }
	out := HarnessUsage{Processes: u.Processes + o.Processes, PeakRSSBytes: u.PeakRSSBytes + o.PeakRSSBytes, CPUSeconds: u.CPUSeconds + o.CPUSeconds}
	if known(u) && known(o) {
		out.PeakAnonBytes = u.PeakAnonBytes + o.PeakAnonBytes
		out.FileRSSBytes = max(u.FileRSSBytes, o.FileRSSBytes)
	}
	return out
}

// addReasons appends the reasons the receiver does not hold yet.
func (d *Shard) addReasons(reasons ...string) {
	for _, r := range reasons {
		if !slices.Contains(d.PartialReasons, r) {
			d.PartialReasons = append(d.PartialReasons, r)
		}
	}
}

// addEvents joins events into the receiver's, keeping time order.
func (d *Shard) addEvents(events []Event) {
	if len(events) == 0 {
		return
	}
	d.Events = append(d.Events, events...)
	slices.SortStableFunc(d.Events, func(a, b Event) int { return cmp.Compare(a.At, b.At) })
}

// minKernel returns the limits of two shards: either when the other is
// unknown, else the lower of each value, so that merged machines are judged
// against the smallest limit.
func minKernel(a, b *KernelLimits) *KernelLimits {
	switch {
	case b == nil:
		return a
	case a == nil:
		k := *b
		return &k
	}
	k := *a
	for i := range k.TCPMemPages {
		k.TCPMemPages[i] = min(k.TCPMemPages[i], b.TCPMemPages[i])
	}
	return &k
}

// addSeries adds the rows of src to the receiver's series, column by column
// according to its kind. Whichever series is shorter carries its last gauges
// forward over the rows it lacks.
func (d *Shard) addSeries(src [][]int64) error {
	width := len(d.Columns)
	for i, r := range src {
		if len(r) != width {
			return fmt.Errorf("series row %d has %d values, want %d", i, len(r), width)
		}
	}
	kinds := kindsOf(d.Columns)
	for len(d.Series) < len(src) {
		d.Series = append(d.Series, carried(d.Series, kinds))
	}
	tail := carried(src, kinds)
	for i, r := range d.Series {
		from := tail
		if i < len(src) {
			from = src[i]
		}
		for c, v := range from {
			r[c] = kinds[c].Combine(r[c], v)
		}
	}
	return nil
}

// carried returns a new row holding the carrying values (gauges) of the
// last row of rows (zero when empty) and zero counts.
func carried(rows [][]int64, kinds []measure.Kind) []int64 {
	r := make([]int64, len(kinds))
	if len(rows) > 0 {
		last := rows[len(rows)-1]
		for c, k := range kinds {
			if k.Carries() {
				r[c] = last[c]
			}
		}
	}
	return r
}

// closePhases sets the end of every phase to the start of the next, and the
// end of the last to the end of the run.
func (d *Shard) closePhases() {
	for i := range d.Phases {
		if i+1 < len(d.Phases) {
			d.Phases[i].End = d.Phases[i+1].Start
		} else {
			d.Phases[i].End = max(d.End, d.Phases[i].Start)
		}
	}
}

// add adds the figures of s to the receiver.
func (d *Storm) add(s *Storm) {
	if s.Info != nil && (d.Info == nil || (d.Info.Affected < 0 && s.Info.Affected >= 0)) {
		info := *s.Info
		d.Info = &info
	}
	d.AffectedCounted += s.AffectedCounted
	d.Detected += s.Detected
	d.Attempts += s.Attempts
	d.Recovered += s.Recovered
	d.Ready += s.Ready
	for c := range d.Counts {
		d.Counts[c] += s.Counts[c]
	}
	addCounts(d.DetectCauses, s.DetectCauses)
	for name, h := range s.Histograms {
		mergeInto(d.Histograms, name, h)
	}
}

// addCounts adds the counts of src to dst.
func addCounts(dst, src map[string]int64) {
	for k, v := range src {
		dst[k] += v
	}
}

// addKeys adds the counts by key of s to the receiver's, over the run and
// per interval (the receiver's series already has s's rows: addSeries).
func (d *Shard) addKeys(s *Shard) error {
	for f := range d.Keys {
		if d.Keys[f] == nil {
			d.Keys[f] = map[string]int64{}
		}
		addCounts(d.Keys[f], s.Keys[f])
		if len(s.KeySeries[f]) > 0 && d.KeySeries[f] == nil {
			d.KeySeries[f] = map[string][]int64{}
		}
		for k, src := range s.KeySeries[f] {
			if len(src) > len(d.Series) {
				return fmt.Errorf("%s %s: %d rows, the series has %d", measure.Family(f), k, len(src), len(d.Series))
			}
			dst := d.KeySeries[f][k]
			if len(dst) < len(d.Series) {
				// New, or made before a longer shard widened the series.
				dst = append(dst, make([]int64, len(d.Series)-len(dst))...)
				d.KeySeries[f][k] = dst
			}
			for i, v := range src {
				dst[i] += v
			}
		}
	}
	return nil
}
