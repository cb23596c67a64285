package reporter

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// shardFormat is the version of the Shard JSON layout.
const shardFormat = 1

// Shard is a serialisable partial result: everything one Recorder (one
// process, any number of event loops) recorded during a run. Shards of the
// same run merge exactly with Merge.
type Shard struct {
	// Format is the version of this layout.
	Format int `json:"format"`
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
	// FailureCauses counts failed attempts by cause name.
	FailureCauses map[string]int64 `json:"failure_causes"`
	// DisconnectCauses counts ended connections by cause name.
	DisconnectCauses map[string]int64 `json:"disconnect_causes"`
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
	// CPUSeconds is the user plus system CPU time in seconds.
	CPUSeconds float64 `json:"cpu_seconds"`
}

// newShard returns an empty shard with the run parameters of the arguments.
func newShard(start time.Time, interval, end time.Duration) *Shard {
	return &Shard{
		Format:           shardFormat,
		Start:            start,
		Interval:         interval,
		End:              end,
		Columns:          columns(),
		Series:           [][]int64{},
		FailureCauses:    map[string]int64{},
		DisconnectCauses: map[string]int64{},
		Phases:           []Phase{},
		Storms:           []Storm{},
	}
}

// column returns the values of the named series column, nil if absent.
func (s *Shard) column(name string) []int64 {
	for c, n := range s.Columns {
		if n != name {
			continue
		}
		out := make([]int64, len(s.Series))
		for i, r := range s.Series {
			if c < len(r) {
				out[i] = r[c]
			}
		}
		return out
	}
	return nil
}

// total returns the sum of the named series column.
func (s *Shard) total(name string) int64 {
	var n int64
	for _, v := range s.column(name) {
		n += v
	}
	return n
}

// cumulative returns the merge of every phase's histogram of metric m: the
// histogram of the whole run.
func (s *Shard) cumulative(m metric) *Hist {
	out := map[string]*Hist{}
	for _, p := range s.Phases {
		mergeInto(out, metricNames[m], p.Histograms[metricNames[m]])
	}
	if h := out[metricNames[m]]; h != nil {
		return h
	}
	return &Hist{newHist(m)}
}

// WriteShard writes s as JSON to path, atomically.
func WriteShard(path string, s *Shard) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode shard: %w", err)
	}
	return WriteFileAtomic(path, append(b, '\n'))
}

// ReadShard reads a shard written by WriteShard.
func ReadShard(path string) (*Shard, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read shard: %w", err)
	}
	var s Shard
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("decode shard %s: %w", path, err)
	}
	if s.Format != shardFormat {
		return nil, fmt.Errorf("shard %s: unsupported format %d (want %d)", path, s.Format, shardFormat)
	}
	return &s, nil
}
