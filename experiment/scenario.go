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

// run carries out the scenario on the fleet (loadgen.Run): ramp, hold,
// the storms with their faults, drain. The fleet's errors first let the
// supervisor record the death behind them. It always drains and closes
// the fleet; the error says why the scenario stopped early.
func (s scenario) run(ctx context.Context) (loadgen.Outcome, error) {
	fr := s.fleet
	opts := loadgen.Options{Start: s.start, Clock: fr.clock, TTY: IsTerminal(s.status), Timetable: s.cfg.Shard.Count > 1,
		OnPhase: s.phase.set, Injector: s.inj}
	if s.status != nil {
		opts.Status = s.status
	}
	watch := &stormWatch{Recorder: fr.rec}
	if lr, ok := fr.ctl.(loadgen.LiveReader); ok && s.cfg.Live && s.live != nil {
		s.live.src.Store(&runSource{start: s.start, clock: fr.clock, phase: s.phase.get, ctl: fr.ctl, live: lr, storms: watch})
	}
	return loadgen.Run(ctx, s.cfg, supervised{Controller: fr.ctl, sup: s.sup}, watch, opts)
}
