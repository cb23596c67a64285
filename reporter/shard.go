package reporter

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/stormbench/stormbench/internal/measure"
)

// shardFormat is the version of the Shard JSON layout. Formats 1 (before
// run IDs, coverage, events and host columns) and 2 (before counts by key
// per interval and per-storm counts by column) are still read: the series
// is widened to today's columns, coverage is unknown, counts by key have no
// series and per-storm counts move to their columns (legacyShard).
const shardFormat = 3

// Shard is a serialisable partial result: everything one Recorder (one
// process, any number of event loops) recorded during a run. Shards of the
// same run merge exactly with Merge.
type Shard struct {
	// Format is the version of this layout.
	Format int `json:"format"`
	// RunID names the run the shard belongs to; shards of different runs
	// do not merge. Empty in shards written before run IDs existed.
	RunID string `json:"run_id,omitempty"`
	// Coverage lists the client IDs whose clients this shard recorded, as
	// classes g mod Count == Index; nil when unknown (shards written before
	// coverage existed, or a recorder that was not told). A merge
	// concatenates (and simplifies) the coverage of its inputs.
	Coverage []ShardID `json:"coverage,omitempty"`
	// Scope is the client IDs the shard was meant to cover: a recorder's
	// own coverage, or what a merge wanted (nil: every client ID, the
	// whole run). Coverage missing within the scope is lost; a scope that
	// is part of the run is one machine's results.
	Scope []ShardID `json:"scope,omitempty"`
	// PartialReasons says why the shard is known to be incomplete, beyond
	// what its coverage shows.
	PartialReasons []string `json:"partial_reasons,omitempty"`
	// Events lists what happened to the harness or its machine, in time
	// order.
	Events []Event `json:"events,omitempty"`
	// EventsDropped counts events not kept (a recorder keeps 1000).
	EventsDropped int `json:"events_dropped,omitempty"`
	// Start is the wall-clock instant of offset 0.
	Start time.Time `json:"start"`
	// Interval is the length of one time-series row.
	Interval time.Duration `json:"interval_ns"`
	// End is the run duration (the latest over merged shards).
	End time.Duration `json:"end_ns"`
	// Loops is the number of event loops that contributed.
	Loops int `json:"loops"`
	// Columns names the values of every Series row (t_s is implied: row i
	// ends at (i+1)·Interval).
	Columns []string `json:"columns"`
	// Series holds one row per interval: gauges at its end, then counts
	// within it, in the order of Columns.
	Series [][]int64 `json:"series"`
	// Keys counts every family (measure.Family: failed attempts and ended
	// connections by cause, broken RFC 6455 rules) by key name, over the
	// run.
	Keys measure.ByFamily[map[string]int64] `json:"keys"`
	// KeySeries counts every family by key name per interval, one value
	// per row of Series; a key that never happened is absent. Shards of
	// format 2 and older have none.
	KeySeries measure.ByFamily[map[string][]int64] `json:"key_series,omitempty"`
	// HostSamples counts Recorder.Host samples (host columns are zero
	// without them).
	HostSamples int64 `json:"host_samples,omitempty"`
	// Kernel holds the machine's TCP memory limits when they were read.
	Kernel *KernelLimits `json:"kernel,omitempty"`
	// Phases holds the interval histograms of every phase.
	Phases []Phase `json:"phases"`
	// Storms holds the figures of every storm, by storm index.
	Storms []Storm `json:"storms"`
	// Harness is the resource usage of the processes that recorded.
	Harness HarnessUsage `json:"harness"`
}

// HarnessUsage is the resource usage of the recording processes; merged
// shards sum it.
type HarnessUsage struct {
	// Processes is the number of processes that took a snapshot.
	Processes int `json:"processes"`
	// PeakRSSBytes is the peak resident set size in bytes.
	PeakRSSBytes int64 `json:"peak_rss_bytes"`
	// PeakAnonBytes is the part of PeakRSSBytes that was the process's
	// own memory (heap, stacks, runtime), not file pages; FileRSSBytes
	// the file pages resident (the executable's, shared by every process
	// of the run). Merged shards sum the first and keep the largest
	// second: their sum is the memory the run took, the executable
	// counted once. Zero where the system does not tell (splitRSS).
	PeakAnonBytes int64 `json:"peak_anon_bytes,omitempty"`
	FileRSSBytes  int64 `json:"file_rss_bytes,omitempty"`
	// CPUSeconds is the user plus system CPU time in seconds.
	CPUSeconds float64 `json:"cpu_seconds"`
}

// newShard returns an empty shard with the run parameters of the arguments.
func newShard(start time.Time, interval, end time.Duration) *Shard {
	return &Shard{
		Format:   shardFormat,
		Start:    start,
		Interval: interval,
		End:      end,
		Columns:  columns(),
		Series:   [][]int64{},
		Keys:     emptyKeys(),
		Phases:   []Phase{},
		Storms:   []Storm{},
	}
}

// emptyKeys returns an empty count by key of every family.
func emptyKeys() measure.ByFamily[map[string]int64] {
	var out measure.ByFamily[map[string]int64]
	for f := range out {
		out[f] = map[string]int64{}
	}
	return out
}

// column returns the values of series column c. A shard in memory holds
// every column in measure order (decodeShard upgrades one read from disk).
func (s *Shard) column(c measure.Column) []int64 {
	out := make([]int64, len(s.Series))
	for i, r := range s.Series {
		if int(c) < len(r) {
			out[i] = r[c]
		}
	}
	return out
}

// total returns the sum of series column c.
func (s *Shard) total(c measure.Column) int64 {
	var n int64
	for _, r := range s.Series {
		if int(c) < len(r) {
			n += r[c]
		}
	}
	return n
}

// cumulative returns the merge of every phase's histogram of metric m: the
// histogram of the whole run, dense.
func (s *Shard) cumulative(m measure.Metric) *Hist {
	out := &Hist{Histogram: newHist(m)}
	for _, p := range s.Phases {
		h := p.Histograms[m.String()]
		switch {
		case h == nil:
		case h.Packed != nil:
			h.Packed.MergeInto(out.Histogram)
		case h.Histogram != nil:
			out.Histogram.Merge(h.Histogram)
		}
	}
	return out
}

// WriteShard writes s as JSON to path, atomically.
func WriteShard(path string, s *Shard) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode shard: %w", err)
	}
	return WriteFileAtomic(path, append(b, '\n'))
}

// ReadShard reads a shard written by WriteShard, by this or an earlier
// version (format 1 shards are upgraded: see shardFormat).
func ReadShard(path string) (*Shard, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read shard: %w", err)
	}
	s, err := decodeShard(b)
	if err != nil {
		return nil, fmt.Errorf("shard %s: %w", path, err)
	}
	return s, nil
}

// decodeShard parses a shard's JSON and brings it to the current layout.
func decodeShard(b []byte) (*Shard, error) {
	var s Shard
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if s.Format < 1 || s.Format > shardFormat {
		return nil, fmt.Errorf("unsupported format %d (this version reads 1 to %d)", s.Format, shardFormat)
	}
	if s.Format < 3 {
		if err := upgradeLegacy(&s, b); err != nil {
			return nil, err
		}
	}
	if err := s.upgrade(); err != nil {
		return nil, err
	}
	return &s, nil
}

// upgrade brings a shard read from disk to the current layout: the series
// gets today's columns (absent ones zero), nil maps become empty.
func (s *Shard) upgrade() error {
	s.Format = shardFormat
	for f := range s.Keys {
		if s.Keys[f] == nil {
			s.Keys[f] = map[string]int64{}
		}
	}
	for i := range s.Storms {
		if s.Storms[i].DetectCauses == nil {
			s.Storms[i].DetectCauses = map[string]int64{}
		}
		if s.Storms[i].Histograms == nil {
			s.Storms[i].Histograms = map[string]*Hist{}
		}
	}
	if s.Series == nil {
		s.Series = [][]int64{}
	}
	want := columns()
	if slices.Equal(s.Columns, want) {
		return nil
	}
	to := make([]int, len(s.Columns))
	for i, name := range s.Columns {
		to[i] = slices.Index(want, name)
		if to[i] < 0 {
			return fmt.Errorf("unknown series column %q (written by a newer stormbench?)", name)
		}
	}
	for i, r := range s.Series {
		if len(r) != len(s.Columns) {
			return fmt.Errorf("series row %d has %d values, want %d", i, len(r), len(s.Columns))
		}
		nr := make([]int64, len(want))
		for c, v := range r {
			nr[to[c]] = v
		}
		s.Series[i] = nr
	}
	s.Columns = want
	return nil
}
