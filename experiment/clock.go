package experiment

import (
	"context"
	"fmt"
	"time"
)

// Shards on several machines follow one timetable by their own clocks
// (--start-at): shard 0 applies a server-side fault at its scheduled
// instant, and the others take that instant as T0. A machine whose clock
// is off runs every phase that much off the others', its detection and
// recovery times are off by as much, and beyond the lead with which
// shards open their storm windows (loadgen: 500 ms) its clients' losses
// fall before its window opens. Before it waits for the start, a shard
// with a control API (every shard of the documented command) asks the
// server's time and warns when its own is further than ClockWarn from it.

const (
	// ClockWarn is how far a shard's clock may be from the server's
	// before the run warns: a fifth of the storm windows' lead.
	ClockWarn = 100 * time.Millisecond
	// clockProbes is how many times the server is asked; the answer with
	// the shortest round trip is kept (its error is ± half of that).
	clockProbes = 5
	// clockProbeTime bounds the probes, and they stop in time for the
	// start; with less than clockProbeMin left there are none.
	clockProbeTime = 3 * time.Second
	clockProbeMin  = time.Second
)

// clockWarning compares this machine's clock with the server's on a
// timetable run with a control API, and says what is wrong ("" when
// nothing is, or the run has no timetable or no control API).
func clockWarning(ctx context.Context, p *Plan) string {
	if p.StartAt.IsZero() || p.Control == "" {
		return ""
	}
	deadline := time.Now().Add(clockProbeTime)
	until := time.Until(p.StartAt) - 200*time.Millisecond
	if until < clockProbeMin {
		// No time to ask before the start: say nothing rather than
		// blame the server for the shard's late start.
		return ""
	}
	if until < clockProbeTime {
		deadline = time.Now().Add(until)
	}
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	ctl, err := p.controlClient()
	if err != nil {
		return fmt.Sprintf("could not compare this machine's clock with the server's: %v", err)
	}
	var best, bestRTT time.Duration
	var lastErr error
	got := false
	for range clockProbes {
		off, rtt, err := ctl.ClockOffset(ctx)
		if err != nil {
			lastErr = err
			if ctx.Err() != nil {
				break
			}
			continue
		}
		if !got || rtt < bestRTT {
			best, bestRTT, got = off, rtt, true
		}
	}
	switch {
	case !got:
		return fmt.Sprintf("could not compare this machine's clock with the server's (a timetable needs them to agree within %v): %v", ClockWarn, lastErr)
	case best.Abs()-bestRTT/2 > ClockWarn:
		way := "behind"
		if best < 0 {
			way = "ahead of"
		}
		return fmt.Sprintf("this machine's clock is %v %s the server's (± %v): on a timetable (--start-at) its phases run that much off the other shards', its detection and recovery times are off by as much, and beyond 500ms its clients' losses fall outside its storm windows; synchronise the clocks (NTP) and run again",
			best.Abs().Round(time.Millisecond), way, (bestRTT / 2).Round(time.Millisecond))
	}
	return ""
}
