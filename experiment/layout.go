package experiment

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/stormbench/stormbench/loadgen"
)

// layout is where and when a run takes place.
type layout struct {
	// dir is the results folder: the plan's Dir, else
	// Out/<YYYYMMDD-HHMMSS>-<name> stamped with started.
	dir string
	// started is when Run began.
	started time.Time
	// start is the origin of the run's clock: the timetable's instant
	// (--start-at) when there is one, else started.
	start time.Time
}

// layOut lays out a run of p that begins now.
func layOut(p *Plan, now time.Time) layout {
	l := layout{dir: filepath.Join(p.Out, now.Format("20060102-150405")+"-"+p.Name), started: now, start: now}
	if p.Dir != "" {
		l.dir = p.Dir
	}
	if !p.StartAt.IsZero() {
		l.start = p.StartAt
	}
	return l
}

// clock returns the run's clock: the time since its start.
func (l layout) clock() func() time.Duration {
	return func() time.Duration { return time.Since(l.start) }
}

// waitForStart waits, on a timetable (--start-at), until the instant at
// which every shard begins its ramp; a zero at returns at once. When ctx
// ends first it returns why (causeOf).
func waitForStart(ctx context.Context, stderr io.Writer, at time.Time, shard loadgen.Shard) error {
	if at.IsZero() {
		return nil
	}
	fmt.Fprintf(stderr, "stormbench: shard %d/%d waits until %s\n", shard.Index, shard.Count, at.Format(time.RFC3339))
	t := time.NewTimer(time.Until(at))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return causeOf(ctx)
	}
}

// phaseName is the name of the scenario's current phase ("" before the
// ramp begins), for the supervisor's events, the live view and the reason
// of an interrupted run. It is safe for concurrent use.
type phaseName struct{ v atomic.Pointer[string] }

func (p *phaseName) set(name string) { p.v.Store(&name) }

func (p *phaseName) get() string {
	if s := p.v.Load(); s != nil {
		return *s
	}
	return ""
}
