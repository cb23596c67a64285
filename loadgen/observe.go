package loadgen

import (
	"fmt"
	"math"
	"time"
)

// observePoll is how often an observe run reads the fleet's counts. The
// shards publish them every Config.Interval, so polling faster gains
// nothing.
const observePoll = 100 * time.Millisecond

// lossSample is the fleet's counts at one poll.
type lossSample struct {
	at          time.Duration
	disconnects int64
	open        int64
}

// stormDetector finds mass disconnects in the fleet's counts: a storm is
// at least threshold × the open clients lost within window. It only sees
// counts; which clients were lost, and exactly when, the shards know
// (observeBegin).
type stormDetector struct {
	threshold float64
	window    time.Duration
	samples   []lossSample
}

// add takes the counts at one poll and reports whether a storm is under
// way, and since when its losses have been arriving: the start of the
// first poll interval in the window that lost at least its share of the
// threshold (a lone loss in a quiet fleet does not move it).
func (d *stormDetector) add(s lossSample) (since time.Duration, storm bool) {
	d.samples = append(d.samples, s)
	// Keep one sample from before the window as its base.
	drop := 0
	for drop+1 < len(d.samples) && d.samples[drop+1].at <= s.at-d.window {
		drop++
	}
	d.samples = d.samples[drop:]
	base := d.samples[0]
	if base.open <= 0 {
		return 0, false
	}
	need := max(1, int64(math.Ceil(d.threshold*float64(base.open))))
	if s.disconnects-base.disconnects < need {
		return 0, false
	}
	for i := 0; i+1 < len(d.samples); i++ {
		a, b := d.samples[i], d.samples[i+1]
		share := float64(need) * float64(b.at-a.at) / float64(d.window)
		if float64(b.disconnects-a.disconnects) >= max(1, share) {
			return a.at, true
		}
	}
	return base.at, true
}

// reset forgets the samples (a storm was measured: the next one is
// counted from scratch).
func (d *stormDetector) reset() { d.samples = d.samples[:0] }

// observe holds the fleet for Hold without injecting anything and measures
// every mass disconnect as a storm. A storm still recovering when the hold
// ends is measured to its end.
func (r *runner) observe() error {
	f := r.cfg.Fault
	d := &stormDetector{threshold: f.Threshold, window: f.Window}
	end := r.o.Clock() + r.cfg.Hold
	if err := r.phase("observe"); err != nil {
		return err
	}
	// The shards publish their counts every interval: a loss counted at a
	// poll may have happened up to an interval (plus the poll) earlier.
	lag := r.cfg.Interval + observePoll
	floor := r.o.Clock()
	for k := 0; r.ctx.Err() == nil; {
		now := r.o.Clock()
		if now >= end {
			return nil
		}
		s, err := r.ctl.Status()
		if err != nil {
			return err
		}
		r.printStatus(false)
		if since, storm := d.add(lossSample{at: now, disconnects: s.Disconnects, open: s.Open}); storm {
			since = max(since-lag, floor)
			if err := r.phase(fmt.Sprintf("storm-%d", k+1)); err != nil {
				return err
			}
			if r.o.Status != nil {
				fmt.Fprintf(r.o.Status, "stormbench: storm %d observed: %d connections lost since %.1fs\n",
					k+1, s.Disconnects-d.samples[0].disconnects, since.Seconds())
			}
			if err := r.storm(k, now, -1, since); err != nil {
				return err
			}
			k++
			d.reset()
			floor = r.o.Clock()
			if err := r.phase(fmt.Sprintf("observe-%d", k+1)); err != nil {
				return err
			}
			continue
		}
		t := time.NewTimer(min(observePoll, end-now))
		select {
		case <-r.ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
	return nil
}
