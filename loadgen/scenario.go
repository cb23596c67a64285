package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/stormbench/stormbench/internal/evloop"
	"github.com/stormbench/stormbench/internal/fault"
)

// timetableLead is how long before a scheduled server-side fault the
// shards of a timetable run open their storm windows.
const timetableLead = 500 * time.Millisecond

// ErrNoConnection reports a run in which no client ever connected.
var ErrNoConnection = errors.New("no client ever connected")

// Injector applies the faults the load generator cannot apply itself:
// server-side kinds through the server's control API, crash by killing the
// embedded server's process.
type Injector interface {
	// Inject applies f and returns when it was applied (T0, on the
	// server's clock for server-side kinds) and how many connections it
	// hit (-1 when the injector cannot know).
	// k is the storm's index (0-based).
	Inject(ctx context.Context, k int, f Fault) (Injected, error)
}

// Injected is the answer of an Injector.
type Injected struct {
	T0       time.Time
	Affected int
	// Process is the command of an exec fault, still running.
	Process FaultProcess
}

// Options are the scenario's wiring: clocks, the injector, the status line.
type Options struct {
	// Start is the run's start on the wall clock; offsets are from here.
	Start time.Time
	// Clock returns the time since Start (monotonic).
	Clock evloop.Clock
	// Injector applies server-side faults and crashes; nil allows only
	// client-side kinds and none.
	Injector Injector
	// Status receives the live status line; nil silences it.
	Status io.Writer
	// TTY rewrites one line every second instead of printing a line every
	// five seconds.
	TTY bool
	// StatusEvery overrides the status interval; zero means 1s on a TTY, 5s otherwise.
	StatusEvery time.Duration
	// OnPhase, when set, is told the name of every phase as it begins
	// (supervision names the phase in its messages).
	OnPhase func(name string)
	// Timetable runs every phase on a fixed schedule from Start, so that
	// shards on several machines (--shard i/n --start-at T), which cannot
	// see each other, agree on when each phase begins: the ramp lasts
	// clients/rate + ConnectTimeout, each hold Hold and each storm exactly
	// RecoverTimeout. A shard without an Injector takes T0 of a
	// server-side fault to be its scheduled time (clocks must agree).
	Timetable bool
}

// Outcome says how a run ended.
type Outcome struct {
	// Interrupted is set when ctx was cancelled (Ctrl-C, or the
	// supervisor ending the run; context.Cause says which) before the end.
	Interrupted bool `json:"interrupted"`
	// RampComplete is set when every client was open before the hold.
	RampComplete bool `json:"ramp_complete"`
	// Storms are the coordinator's facts of every storm that began.
	Storms []StormInfo `json:"storms"`
	// Duration is the run's length up to the end of the drain.
	Duration time.Duration `json:"duration"`
}

// Run carries out the scenario of cfg (resolved) on ctl: ramp, hold, K ×
// (fault, recovery, hold), drain. It always drains and closes ctl, so that
// an interrupted or failed run still leaves what it measured in its
// recorder; the error says why it stopped early.
func Run(ctx context.Context, cfg Config, ctl Controller, rec Recorder, o Options) (out Outcome, err error) {
	r := &runner{cfg: cfg, ctl: ctl, rec: rec, o: o, ctx: ctx}
	if o.StatusEvery == 0 {
		r.o.StatusEvery = 5 * time.Second
		if o.TTY {
			r.o.StatusEvery = time.Second
		}
	}
	defer func() {
		_ = r.phase("drain")
		if e := ctl.Drain(); e != nil && err == nil {
			err = fmt.Errorf("drain: %w", e)
		}
		r.printStatus(true)
		if e := ctl.Close(); e != nil && err == nil {
			err = fmt.Errorf("close fleet: %w", e)
		}
		out.Storms = r.storms
		out.Duration = o.Clock()
		out.Interrupted = ctx.Err() != nil
	}()
	if err := r.phase("ramp"); err != nil {
		return out, err
	}
	if err := ctl.Start(o.Clock()); err != nil {
		return out, fmt.Errorf("start fleet: %w", err)
	}
	rampEnd := o.Clock() + time.Duration(float64(cfg.Clients)/cfg.RampRate*float64(time.Second))
	var err2 error
	if o.Timetable {
		_, err2 = r.waitUntil(rampEnd+cfg.ConnectTimeout, nil)
		if err2 == nil {
			var s Status
			s, err2 = r.ctl.Status()
			out.RampComplete = s.Open >= s.Clients
		}
	} else {
		wait := rampEnd + cfg.Fault.RecoverTimeout
		if len(cfg.Fault.At) > 0 {
			// The schedule wins: the first fault comes when it was asked
			// for, ramp complete or not.
			wait = min(wait, cfg.Fault.At[0])
		}
		out.RampComplete, err2 = r.waitUntil(wait, func(s Status) bool {
			return s.Open >= s.Clients
		})
	}
	if err2 != nil {
		return out, err2
	}
	if ctx.Err() != nil {
		return out, nil
	}
	s, err := r.ctl.Status()
	if err != nil {
		return out, err
	}
	if s.Connects == 0 {
		return out, ErrNoConnection
	}
	if cfg.Fault.Kind == fault.Observe {
		return out, r.observe()
	}
	next := o.Clock()
	at := cfg.Fault.At
	for k := 0; k < cfg.Fault.Storms && ctx.Err() == nil; k++ {
		if err := r.phase(holdName(k)); err != nil {
			return out, err
		}
		switch {
		case len(at) > 0:
			next = at[k]
		case !o.Timetable:
			next = o.Clock() + cfg.Hold
		default:
			next += cfg.Hold
		}
		open := next
		if o.Timetable && !cfg.Fault.Kind.ClientSide() {
			// Shards open their windows ahead of the one that applies a
			// server-side fault, so that none misses the first detections
			// (clocks of the shards' machines may differ by this much).
			open -= timetableLead
		}
		if _, err := r.waitUntil(open, nil); err != nil {
			return out, err
		}
		if ctx.Err() != nil {
			break
		}
		if cfg.Fault.Kind == fault.None {
			break
		}
		if err := r.phase(fmt.Sprintf("storm-%d", k+1)); err != nil {
			return out, err
		}
		// The window closes at the recover timeout, or when the next
		// scheduled fault is due.
		closeBy := time.Duration(-1)
		if k+1 < len(at) {
			closeBy = at[k+1]
		}
		if err := r.storm(k, next, closeBy, -1); err != nil {
			return out, err
		}
		next += cfg.Fault.RecoverTimeout
	}
	return out, nil
}

func holdName(k int) string {
	if k == 0 {
		return "hold"
	}
	return fmt.Sprintf("hold-%d", k+1)
}

type runner struct {
	cfg       Config
	ctl       Controller
	rec       Recorder
	o         Options
	ctx       context.Context
	storms    []StormInfo
	phaseName string
	lastPrint time.Duration
	lastAtt   int64
	lastAsk   time.Duration // last status request while only waiting
}

func (r *runner) phase(name string) error {
	r.phaseName = name
	if r.o.OnPhase != nil {
		r.o.OnPhase(name)
	}
	err := r.ctl.Cut(name)
	if !r.o.TTY && name != "drain" {
		r.printStatus(true) // a line at every phase change in logs
	}
	if err != nil {
		return fmt.Errorf("phase %s: %w", name, err)
	}
	return nil
}

// storm applies fault k (scheduled at sched on a timetable or by
// --fault-at) and waits for the fleet to recover. closeBy, when ≥ 0,
// closes the window early (the next scheduled fault is due); since, for
// an observed storm, is where its losses began.
func (r *runner) storm(k int, sched, closeBy, since time.Duration) error {
	f := r.cfg.Fault
	info := StormInfo{Fault: f.Kind, Affected: -1, Observed: f.Kind == fault.Observe}
	if len(f.At) > 0 {
		info.Scheduled = sched
	}
	applied, err := r.ctl.StormBegin(StormOrder{K: k, Kind: f.Kind, Fraction: f.Fraction, Duration: f.Duration, Since: since})
	if err != nil {
		return fmt.Errorf("storm %d: %w", k+1, err)
	}
	if (r.o.Timetable || len(f.At) > 0) && !f.Kind.ClientSide() {
		if _, err := r.waitUntil(sched, nil); err != nil {
			return err
		}
	}
	var proc FaultProcess
	switch {
	case f.Kind == fault.Observe:
		info.T0 = applied.T0
		if info.T0 < 0 {
			info.T0 = since // lost clients went by the time the shards looked
		}
		if err := r.ctl.StormT0(k, info.T0); err != nil {
			return fmt.Errorf("storm %d: %w", k+1, err)
		}
	case f.Kind.ClientSide():
		info.T0 = applied.T0
	case r.o.Timetable && r.o.Injector == nil:
		// Another shard applies it; the schedule says when.
		info.T0 = sched
		if err := r.ctl.StormT0(k, info.T0); err != nil {
			return fmt.Errorf("storm %d: %w", k+1, err)
		}
	default:
		if r.o.Injector == nil {
			_ = r.ctl.StormEnd(k)
			return fmt.Errorf("storm %d: fault %q needs the server's control API (--control) or the embedded server", k+1, f.Kind)
		}
		inj, err := r.o.Injector.Inject(r.ctx, k, f)
		if err != nil {
			info.T0, info.End = r.o.Clock(), r.o.Clock()
			r.storms = append(r.storms, info)
			r.rec.StormInfo(k, info)
			_ = r.ctl.StormEnd(k)
			return fmt.Errorf("storm %d: inject %s: %w", k+1, f.Kind, err)
		}
		info.T0 = inj.T0.Sub(r.o.Start)
		proc = inj.Process
		if !f.Kind.CountedByClients() {
			info.Affected = inj.Affected
		}
		if err := r.ctl.StormT0(k, info.T0); err != nil {
			if proc != nil {
				proc.Stop()
			}
			return fmt.Errorf("storm %d: %w", k+1, err)
		}
	}
	if info.Scheduled > 0 && info.T0-info.Scheduled > 100*time.Millisecond && r.o.Status != nil {
		fmt.Fprintf(r.o.Status, "stormbench: storm %d came %.1fs after --fault-at asked (%s was still going on)\n",
			k+1, (info.T0 - info.Scheduled).Seconds(), r.phaseBefore(k))
	}
	r.storms = append(r.storms, info)
	r.rec.StormInfo(k, info)

	end := r.endRule(k, info, proc)
	deadline := info.T0 + f.RecoverTimeout
	if r.o.Timetable {
		deadline = sched + f.RecoverTimeout
	}
	if closeBy >= 0 {
		deadline = min(deadline, closeBy)
	}
	var last Status
	done, werr := r.waitUntil(deadline, func(s Status) bool {
		last = s
		if r.o.Timetable {
			return false // every shard keeps the same window
		}
		return end.over(s, r.o.Clock())
	})
	if want := int64(info.Affected); done && end.quiet >= 0 {
		if want < 0 {
			want = last.Affected
		}
		info.Survived = int(max(want-last.Detected, 0))
	}
	info.End = r.o.Clock()
	info.TimedOut = !done && r.ctx.Err() == nil && werr == nil && !r.o.Timetable
	// A run that ends during the window (Ctrl-C, a child that died) leaves
	// the storm unfinished: its figures cover only part of the recovery.
	info.Aborted = !done && (r.ctx.Err() != nil || werr != nil)
	if proc != nil {
		res := proc.Stop()
		info.Exec = &res
		if res.Failed() && r.o.Status != nil {
			fmt.Fprintf(r.o.Status, "stormbench: storm %d: the fault command %s\n", k+1, describeExec(res))
		}
	}
	r.storms[k] = info
	r.rec.StormInfo(k, info)
	if werr != nil {
		_ = r.ctl.StormEnd(k)
		return fmt.Errorf("storm %d: %w", k+1, werr)
	}
	if err := r.ctl.StormEnd(k); err != nil {
		return fmt.Errorf("storm %d: %w", k+1, err)
	}
	return nil
}

// phaseBefore names what kept storm k from its scheduled time.
func (r *runner) phaseBefore(k int) string {
	if k == 0 {
		return "the ramp"
	}
	return fmt.Sprintf("storm %d", k)
}

// waitUntil polls the fleet until cond holds, the deadline passes or ctx
// is done, printing the status line on the way. It reports whether cond
// held, and the error of a fleet that can no longer be asked. A nil cond
// only waits: the fleet is then asked for its status only when a status
// line is due, not every 50 ms (with dozens of worker processes that
// polling is not free).
func (r *runner) waitUntil(deadline time.Duration, cond func(Status) bool) (bool, error) {
	for {
		if cond != nil {
			s, err := r.ctl.Status()
			if err != nil {
				return false, err
			}
			if cond(s) {
				return true, nil
			}
		}
		r.printStatus(false)
		now := r.o.Clock()
		if now >= deadline {
			return false, nil
		}
		step := 50 * time.Millisecond
		if cond == nil {
			step = min(deadline-now, r.lastPrint+r.o.StatusEvery-now)
			if r.o.Status == nil {
				step = deadline - now
			}
			// Ask the fleet at least once a second: a worker that stopped
			// answering is found within its request deadline, not at the
			// end of a long hold.
			if step > time.Second {
				step = time.Second
			}
			if now-r.lastAsk >= time.Second {
				r.lastAsk = now
				if _, err := r.ctl.Status(); err != nil {
					return false, err
				}
			}
		}
		t := time.NewTimer(max(step, time.Millisecond))
		select {
		case <-r.ctx.Done():
			t.Stop()
			return false, nil
		case <-t.C:
		}
	}
}

// printStatus writes the live status line: rewritten in place on a
// terminal, a plain line every few seconds otherwise.
func (r *runner) printStatus(final bool) {
	if r.o.Status == nil {
		return
	}
	now := r.o.Clock()
	if !final && now-r.lastPrint < r.o.StatusEvery {
		return
	}
	s, err := r.ctl.Status()
	if err != nil {
		return
	}
	rate := float64(s.Attempts-r.lastAtt) / max((now-r.lastPrint).Seconds(), 1e-3)
	r.lastPrint, r.lastAtt = now, s.Attempts
	line := fmt.Sprintf("[%6.1fs] %-8s open %d/%d  connecting %d  waiting %d  attempts %d (%.0f/s)  failures %d",
		now.Seconds(), r.phaseName, s.Open, s.Clients, s.Connecting, s.Waiting, s.Attempts, rate, s.Failures)
	if s.GaveUp > 0 {
		line += fmt.Sprintf("  gave up %d", s.GaveUp)
	}
	if s.Storm >= 0 && len(r.storms) > int(s.Storm) && r.phaseName != "drain" {
		st := r.storms[s.Storm]
		want := int64(st.Affected)
		if want < 0 {
			want = s.Affected
		}
		line += fmt.Sprintf("  storm %d: detected %d, recovered %d/%d", s.Storm+1, s.Detected, s.Recovered, want)
	}
	if r.o.TTY {
		fmt.Fprintf(r.o.Status, "\r%s\x1b[K", line)
		if final {
			fmt.Fprintln(r.o.Status)
		}
		return
	}
	fmt.Fprintln(r.o.Status, line)
}
