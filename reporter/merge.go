package reporter

import (
	"errors"
	"fmt"
	"slices"
)

// Merge joins shards of one run into a new shard, exactly: merging the shards
// of several recorders equals one recorder that saw every event. Histograms
// merge; counters and time series add (a shorter series carries its gauges
// forward); phases and storms merge by index. A storm's coordinator facts
// come from whichever shard has them, one with a server-reported Affected
// count (≥ 0) winning over one with -1. Harness usage is summed. Merge
// returns an error when the shards disagree on start, interval, format,
// columns or phase names. The arguments are not modified.
func Merge(shards ...*Shard) (*Shard, error) {
	if len(shards) == 0 {
		return nil, errors.New("merge: no shards")
	}
	if shards[0] == nil {
		return nil, errors.New("merge: shard 0 is nil")
	}
	out := newShard(shards[0].Start, shards[0].Interval, 0)
	out.Columns = slices.Clone(shards[0].Columns)
	for i, s := range shards {
		if err := out.add(s); err != nil {
			return nil, fmt.Errorf("merge shard %d: %w", i, err)
		}
	}
	out.closePhases()
	return out, nil
}

// add adds the contents of s to the receiver.
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
			d.Storms = append(d.Storms, Storm{DetectCauses: map[string]int64{}, Histograms: map[string]*Hist{}})
		}
		d.Storms[i].add(&s.Storms[i])
	}
	addCounts(d.FailureCauses, s.FailureCauses)
	addCounts(d.DisconnectCauses, s.DisconnectCauses)
	d.End = max(d.End, s.End)
	d.Loops += s.Loops
	d.Harness.Processes += s.Harness.Processes
	d.Harness.PeakRSSBytes += s.Harness.PeakRSSBytes
	d.Harness.CPUSeconds += s.Harness.CPUSeconds
	return nil
}

// addSeries adds the rows of src to the receiver's series. Whichever series
// is shorter carries its last gauges forward over the rows it lacks.
func (d *Shard) addSeries(src [][]int64) error {
	width := len(d.Columns)
	for i, r := range src {
		if len(r) != width {
			return fmt.Errorf("series row %d has %d values, want %d", i, len(r), width)
		}
	}
	for len(d.Series) < len(src) {
		d.Series = append(d.Series, carried(d.Series, width))
	}
	tail := carried(src, width)
	for i, r := range d.Series {
		if i < len(src) {
			for c, v := range src[i] {
				r[c] += v
			}
			continue
		}
		for c, v := range tail[:numGauges] {
			r[c] += v
		}
	}
	return nil
}

// carried returns a new row holding the gauges of the last row of rows (zero
// when empty) and zero counts.
func carried(rows [][]int64, width int) []int64 {
	r := make([]int64, width)
	if len(rows) > 0 {
		copy(r[:numGauges], rows[len(rows)-1])
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
	d.MessagesLost += s.MessagesLost
	d.MessagesDuplicated += s.MessagesDuplicated
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
