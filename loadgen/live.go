package loadgen

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/stormbench/stormbench/internal/livemetrics"
	"github.com/stormbench/stormbench/internal/measure"
)

// Live is a fleet's cumulative figures for a live view of a long run
// (stormbench run --metrics-listen): what the results files hold at the
// end, readable while the run goes on. It travels in the worker protocol,
// so it is plain JSON, keyed by the names of package measure.
type Live struct {
	// Counts holds every count column's total since the start.
	Counts measure.ByColumn[int64] `json:"counts"`
	// Keys counts every family by key name; every key of a family with a
	// fixed set of keys is present, zeros included.
	Keys measure.ByFamily[map[string]int64] `json:"keys"`
	// Latency holds the histograms of the metrics exposed live
	// (MetricDef.Prom), in the livemetrics.LatencyBuckets layout.
	Latency measure.ByMetric[livemetrics.Histogram] `json:"latency"`

	// LatenessP99 is the highest of the loops' timer lateness p99 in their
	// latest interval (the upper bound of its bucket); LoopBusy the mean
	// share of that interval the loops were busy; Loops how many loops
	// reported.
	LatenessP99 time.Duration `json:"lateness_p99"`
	LoopBusy    float64       `json:"loop_busy"`
	Loops       int           `json:"loops"`
}

// Add sums two fleets' figures (worker processes of one run).
func (l Live) Add(o Live) (Live, error) {
	var errs []error
	for c := range l.Counts {
		l.Counts[c] += o.Counts[c]
	}
	for f := range l.Keys {
		l.Keys[f] = addMaps(l.Keys[f], o.Keys[f])
	}
	for m := range l.Latency {
		var err error
		if l.Latency[m], err = addHist(l.Latency[m], o.Latency[m]); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", measure.Metric(m), err))
		}
	}
	l.LatenessP99 = max(l.LatenessP99, o.LatenessP99)
	if n := l.Loops + o.Loops; n > 0 {
		l.LoopBusy = (l.LoopBusy*float64(l.Loops) + o.LoopBusy*float64(o.Loops)) / float64(n)
	}
	l.Loops += o.Loops
	return l, errors.Join(errs...)
}

func addMaps(a, b map[string]int64) map[string]int64 {
	if a == nil && b == nil {
		return nil
	}
	if a == nil {
		a = make(map[string]int64, len(b))
	}
	for k, v := range b {
		a[k] += v
	}
	return a
}

func addHist(a, b livemetrics.Histogram) (livemetrics.Histogram, error) {
	if len(a.Counts) == 0 {
		return b, nil
	}
	if len(b.Counts) == 0 {
		return a, nil
	}
	return a.Add(b)
}

// LiveReader is a Controller that keeps live figures (Fleet, Multi,
// Remote with Config.Live set).
type LiveReader interface {
	Live() (Live, error)
}

// liveHist is a loop's own latency histogram in the
// livemetrics.LatencyBuckets layout.
type liveHist struct {
	counts [livemetrics.LatencyBucketCount + 1]uint64
	sum    float64
}

// liveTally keeps what the live view shows beyond the loop's running
// totals: counts by key, the live latency histograms and the latest
// interval's health. The loop updates it without locks; at every interval
// (shard.publish) it copies the figures into pub, which a scrape reads
// under mu from any goroutine. A scrape is thus at most one interval
// behind, and the hot paths pay no atomic operations.
type liveTally struct {
	interval time.Duration // the time series' interval
	keys     [measure.NumFamilies]map[int]int64
	texts    [measure.NumFamilies]map[string]int64
	hists    [measure.NumMetrics]*liveHist // metrics exposed live only

	// lateness counts the current interval's timer lateness by bucket; at
	// each interval's end its p99 becomes latenessP99.
	lateness    [livemetrics.LatencyBucketCount + 1]uint32
	latenessP99 time.Duration
	busy        float64
	reported    bool

	mu  sync.Mutex
	pub Live
}

func newLiveTally(interval time.Duration) *liveTally {
	t := &liveTally{interval: interval}
	for m := range t.hists {
		if measure.Metric(m).Def().Prom != "" {
			t.hists[m] = &liveHist{}
		}
	}
	for f := range t.keys {
		t.keys[f] = map[int]int64{}
		t.texts[f] = map[string]int64{}
	}
	return t
}

// observe records a duration of metric m.
func (t *liveTally) observe(m measure.Metric, d time.Duration) {
	if m == measure.TimerLateness {
		t.lateness[livemetrics.LatencyBucket(d)]++
	}
	if h := t.hists[m]; h != nil {
		h.counts[livemetrics.LatencyBucket(d)]++
		h.sum += d.Seconds()
	}
}

// key counts one event of family f with key k.
func (t *liveTally) key(f measure.Family, k int) { t.keys[f][k]++ }

// text counts one event of family f keyed by text, at most
// measure.MaxTextKeys keys.
func (t *liveTally) text(f measure.Family, text []byte) {
	if _, ok := t.texts[f][string(text)]; ok {
		t.texts[f][string(text)]++
		return
	}
	key := string(text)
	if len(t.texts[f]) >= measure.MaxTextKeys {
		key = measure.OtherText
	}
	t.texts[f][key]++
}

// closeInterval ends the live interval, which lasted span (the loop's
// report may come late, covering more than one interval): its lateness p99
// and busy share become the latest.
func (t *liveTally) closeInterval(busy, span time.Duration) {
	var n uint32
	for _, c := range t.lateness {
		n += c
	}
	t.latenessP99 = 0
	if n > 0 {
		need, seen := uint32(math.Ceil(0.99*float64(n))), uint32(0)
		for i, c := range t.lateness {
			seen += c
			if seen >= need {
				t.latenessP99 = bucketUpper(i)
				break
			}
		}
		t.lateness = [len(t.lateness)]uint32{}
	}
	if span <= 0 {
		span = t.interval
	}
	if span > 0 {
		t.busy = min(float64(busy)/float64(span), 1)
	}
	t.reported = true
}

// publish copies the loop's figures for scrapes.
func (t *liveTally) publish(totals *[measure.NumColumns]int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := &t.pub
	for c := range p.Counts {
		if measure.Column(c).Kind() == measure.Count {
			p.Counts[c] = totals[c]
		}
	}
	for f := range p.Keys {
		fam := measure.Family(f)
		if p.Keys[f] == nil {
			p.Keys[f] = map[string]int64{}
			if keys := fam.Def().Keys; keys != nil {
				for _, k := range keys() {
					p.Keys[f][fam.KeyName(k)] = 0
				}
			}
		}
		for k, v := range t.keys[f] {
			p.Keys[f][fam.KeyName(k)] = v
		}
		for k, v := range t.texts[f] {
			p.Keys[f][k] = v
		}
	}
	for m, h := range t.hists {
		if h == nil {
			continue
		}
		if p.Latency[m].Counts == nil {
			p.Latency[m].Counts = make([]uint64, len(h.counts))
		}
		copy(p.Latency[m].Counts, h.counts[:])
		p.Latency[m].Sum = h.sum
	}
	if t.reported {
		p.LatenessP99, p.LoopBusy, p.Loops = t.latenessP99, t.busy, 1
	}
}

// live returns a copy of the published figures.
func (t *liveTally) live() Live {
	t.mu.Lock()
	defer t.mu.Unlock()
	l := t.pub
	for f := range l.Keys {
		l.Keys[f] = addMaps(nil, t.pub.Keys[f])
	}
	for m := range l.Latency {
		if c := t.pub.Latency[m].Counts; c != nil {
			l.Latency[m].Counts = append([]uint64(nil), c...)
		}
	}
	return l
}

// bucketUpper is the upper bound of latency bucket i (the last is open:
// its lower bound doubled).
func bucketUpper(i int) time.Duration {
	b := livemetrics.LatencyBuckets()
	if i < len(b) {
		return time.Duration(b[i] * float64(time.Second))
	}
	return time.Duration(2 * b[len(b)-1] * float64(time.Second))
}

// Live implements LiveReader: the sum of the fleet's loops.
func (f *Fleet) Live() (Live, error) {
	var out Live
	var errs []error
	for _, sh := range f.shards {
		if sh.live == nil {
			return out, fmt.Errorf("live figures: the fleet was not built with Config.Live")
		}
		var err error
		if out, err = out.Add(sh.live.live()); err != nil {
			errs = append(errs, err)
		}
	}
	return out, errors.Join(errs...)
}

// Live implements LiveReader: the sum of the fleets.
func (m Multi) Live() (Live, error) {
	parts := make([]Live, len(m))
	err := m.each(func(i int, c Controller) error {
		lr, ok := c.(LiveReader)
		if !ok {
			return fmt.Errorf("live figures: fleet %d keeps none", i)
		}
		var e error
		parts[i], e = lr.Live()
		return e
	})
	var out Live
	for _, p := range parts {
		var e error
		if out, e = out.Add(p); e != nil {
			err = errors.Join(err, e)
		}
	}
	return out, err
}

// Live implements LiveReader through the worker protocol.
func (m *Remote) Live() (Live, error) {
	p, err := m.call(request{Op: "live"})
	if err != nil || p.Live == nil {
		return Live{}, err
	}
	return *p.Live, nil
}
