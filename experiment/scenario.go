package experiment

import (
	"context"
	"io"
	"time"

	"github.com/stormbench/stormbench/loadgen"
)

// scenario is the scenario step: what it needs of the steps before it.
type scenario struct {
	cfg   loadgen.Config
	start time.Time
	fleet *fleetRun
	// inj applies the faults the fleet cannot apply itself; nil when the
	// run has nothing to apply them with.
	inj loadgen.Injector
	sup *supervisor
	// phase is kept up to date with the scenario's phases.
	phase *phaseName
	// status receives the live status line; nil silences it.
	status io.Writer
	// live, when cfg.Live is set, is given the fleet's live figures.
	live *lazyRunSource
}

// stopPoint is where the scenario stood when the run's context ended.
type stopPoint struct {
	// phase is the phase it was in: the one the end of the context cut
	// short, not the drain that followed (unless it ended during the drain).
	phase string
	// at is when the scenario stopped that phase.
	at time.Duration
}

// run carries out the scenario on the fleet (loadgen.Run): ramp, hold,
// the storms with their faults, drain. The fleet's errors first let the
// supervisor record the death behind them. It always drains and closes
// the fleet; the error says why the scenario stopped early, and stop where
// it stood when ctx ended (zero when ctx did not end).
func (s scenario) run(ctx context.Context) (out loadgen.Outcome, stop stopPoint, err error) {
	fr := s.fleet
	stopped := false
	// The first phase change after ctx ended is the drain that its end
	// began: the phase before it is the one cut short. (Phases change on
	// the scenario's goroutine only.)
	onPhase := func(name string) {
		if !stopped && ctx.Err() != nil {
			stop, stopped = stopPoint{phase: s.phase.get(), at: fr.clock()}, true
		}
		s.phase.set(name)
	}
	opts := loadgen.Options{Start: s.start, Clock: fr.clock, TTY: IsTerminal(s.status), Timetable: s.cfg.Shard.Count > 1,
		OnPhase: onPhase, Injector: s.inj}
	if s.status != nil {
		opts.Status = s.status
	}
	watch := &stormWatch{Recorder: fr.rec}
	if lr, ok := fr.ctl.(loadgen.LiveReader); ok && s.cfg.Live && s.live != nil {
		s.live.src.Store(&runSource{start: s.start, clock: fr.clock, phase: s.phase.get, ctl: fr.ctl, live: lr, storms: watch})
	}
	out, err = loadgen.Run(ctx, s.cfg, supervised{Controller: fr.ctl, sup: s.sup}, watch, opts)
	if !stopped && ctx.Err() != nil {
		// It ended during the drain.
		stop = stopPoint{phase: s.phase.get(), at: out.Duration}
	}
	return out, stop, err
}
