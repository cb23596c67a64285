package reporter

import (
	"time"

	"github.com/stormbench/stormbench/internal/measure"
	"github.com/stormbench/stormbench/loadgen"
)

// sink records the measurements of one event loop. Only the loop's goroutine
// calls it, so it holds no locks; after the first use of an interval, phase,
// storm or key its methods do not allocate. Nothing in it names a
// measurement: columns, metrics and families are recorded by their
// measure values, as their definitions say.
//
// A storm's events come only while its window is open (loadgen's StormBegin
// to StormEnd), which lies within its "storm-k" phase; so at every Cut the
// open storm records are closed, and with the phase they are handed to the
// compactor. An event for a closed storm (not expected) opens a new record
// for it, and the records merge at Snapshot.
type sink struct {
	series series
	// keys counts every family by key, per interval; texts the families
	// keyed by text.
	keys   [measure.NumFamilies]map[int]*keyRows
	texts  [measure.NumFamilies]map[string]*keyRows
	phases []*phase
	cur    *phase
	storms []*stormRec
	closed []*stormRec
	comp   *compactor
}

// keyRows counts one key of a family per interval.
type keyRows struct{ rows []int64 }

var _ loadgen.Sink = (*sink)(nil)

func newSink(interval time.Duration, comp *compactor) *sink {
	s := &sink{
		series: series{interval: interval, rows: make([]row, 0, 64)},
		comp:   comp,
	}
	for f := range s.keys {
		s.keys[f] = map[int]*keyRows{}
		s.texts[f] = map[string]*keyRows{}
	}
	s.cur = &phase{name: firstPhase}
	s.phases = []*phase{s.cur}
	return s
}

// storm returns the open record of storm k, creating it on first use, or
// nil when k is out of range.
func (s *sink) storm(k int) *stormRec {
	if k < 0 || k >= maxStorms {
		return nil
	}
	for len(s.storms) <= k {
		s.storms = append(s.storms, nil)
	}
	if s.storms[k] == nil {
		s.storms[k] = &stormRec{k: k, causes: make([]int64, numCauseSlots)}
	}
	return s.storms[k]
}

// Record records v in column c of the interval that holds at.
func (s *sink) Record(at time.Duration, c measure.Column, v int64) {
	if c.Host() {
		return // the coordinator's (Recorder.Host), never a loop's
	}
	s.series.record(at, c, v)
}

// RecordKey counts key k of family f in the interval that holds at, and in
// the family's total column.
func (s *sink) RecordKey(at time.Duration, f measure.Family, k int) {
	if f >= measure.NumFamilies {
		return
	}
	kr := s.keys[f][k]
	if kr == nil {
		kr = &keyRows{}
		s.keys[f][k] = kr
	}
	s.countKey(at, f, kr)
}

// RecordText counts text of family f in the interval that holds at, and
// in the family's total column; past measure.MaxTextKeys keys, under
// measure.OtherText.
func (s *sink) RecordText(at time.Duration, f measure.Family, text []byte) {
	if f >= measure.NumFamilies {
		return
	}
	kr := s.texts[f][string(text)] // no allocation: the compiler looks up without a copy
	if kr == nil {
		key := string(text)
		if len(s.texts[f]) >= measure.MaxTextKeys {
			key = measure.OtherText
		}
		if kr = s.texts[f][key]; kr == nil {
			kr = &keyRows{}
			s.texts[f][key] = kr
		}
	}
	s.countKey(at, f, kr)
}

// countKey counts one event in kr's interval that holds at, and in the
// family's total column.
func (s *sink) countKey(at time.Duration, f measure.Family, kr *keyRows) {
	i := s.series.bucket(at)
	for len(kr.rows) <= i {
		kr.rows = append(kr.rows, 0)
	}
	kr.rows[i]++
	if t := f.Def().Total; t < measure.NumColumns {
		s.series.record(at, t, 1)
	}
}

// Observe records v into metric m's histogram of the current phase.
func (s *sink) Observe(m measure.Metric, v int64) {
	if m >= measure.NumMetrics {
		return
	}
	record(&s.cur.h.dense[m], m, recordable(m, v))
}

// recordable converts what Observe was given into the metric's recorded unit:
// microseconds of a duration, or a count, within the histogram's range.
func recordable(m measure.Metric, v int64) int64 {
	if m.Counts() {
		return min(max(v, 0), maxAttemptsValue)
	}
	return micros(time.Duration(v))
}

// Storm records what happened to an affected client of storm k. Detections
// and recoveries also go to the phase's detect latency and outage
// histograms (the reconnect latency and attempts of every reconnect, storm
// or not, come through Observe).
func (s *sink) Storm(k int, e loadgen.StormEvent) {
	st := s.storm(k)
	switch e.Kind {
	case loadgen.StormAffected:
		if st != nil {
			st.affected++
		}
	case loadgen.StormDetected:
		v := micros(e.Detect)
		record(&s.cur.h.dense[measure.DetectLatency], measure.DetectLatency, v)
		if st != nil {
			st.detected++
			st.causes[causeSlot(e.Cause)]++
			record(&st.h.dense[measure.DetectLatency], measure.DetectLatency, v)
		}
	case loadgen.StormAttempt:
		if st != nil {
			st.attempts++
		}
	case loadgen.StormRecovered:
		o := micros(e.Outage)
		record(&s.cur.h.dense[measure.Outage], measure.Outage, o)
		if st != nil {
			st.recovered++
			record(&st.h.dense[measure.ReconnectLatency], measure.ReconnectLatency, micros(e.Reconnect))
			record(&st.h.dense[measure.Outage], measure.Outage, o)
			record(&st.h.dense[measure.AttemptsPerRecovery], measure.AttemptsPerRecovery, recordable(measure.AttemptsPerRecovery, int64(e.Attempts)))
		}
	case loadgen.StormCounted:
		if st != nil && e.Column < measure.NumColumns {
			st.counts[e.Column] += e.N
		}
	case loadgen.StormReady:
		o := micros(e.Outage)
		record(&s.cur.h.dense[measure.OutageReady], measure.OutageReady, o)
		if st != nil {
			st.ready++
			record(&st.h.dense[measure.OutageReady], measure.OutageReady, o)
		}
	}
}

// Cut closes the current histogram interval and every open storm record,
// hands them to the compactor, and opens one named phase.
func (s *sink) Cut(at time.Duration, name string) {
	s.comp.submit(&s.cur.h)
	for k, st := range s.storms {
		if st != nil {
			s.closed = append(s.closed, st)
			s.comp.submit(&st.h)
			s.storms[k] = nil
		}
	}
	s.cur = &phase{name: name, start: at}
	s.phases = append(s.phases, s.cur)
}

// keyShard returns the loop's counts by key, over the run and in n rows.
func (s *sink) keyShard(n int) (measure.ByFamily[map[string]int64], measure.ByFamily[map[string][]int64]) {
	var totals measure.ByFamily[map[string]int64]
	var rows measure.ByFamily[map[string][]int64]
	for f := range s.keys {
		fam := measure.Family(f)
		totals[f], rows[f] = map[string]int64{}, map[string][]int64{}
		named := make(map[string]*keyRows, len(s.keys[f])+len(s.texts[f]))
		for k, kr := range s.keys[f] {
			named[fam.KeyName(k)] = kr
		}
		for k, kr := range s.texts[f] {
			named[k] = kr
		}
		for name, kr := range named {
			r := rows[f][name]
			if r == nil && n > 0 {
				r = make([]int64, n)
				rows[f][name] = r
			}
			for i, v := range kr.rows {
				if n > 0 {
					// Rows hold every event (rowsFor): the clamp is a guard.
					r[min(i, n-1)] += v
				}
				totals[f][name] += v
			}
		}
	}
	return totals, rows
}

// rows returns how many intervals the loop recorded something in.
func (s *sink) rows() int {
	n := len(s.series.rows)
	for f := range s.keys {
		for _, kr := range s.keys[f] {
			n = max(n, len(kr.rows))
		}
		for _, kr := range s.texts[f] {
			n = max(n, len(kr.rows))
		}
	}
	return n
}
