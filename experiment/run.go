package experiment

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stormbench/stormbench/loadgen"
	"github.com/stormbench/stormbench/reporter"
)

// ErrInterrupted reports a run stopped by the user (Ctrl-C); whatever it
// had measured is written.
var ErrInterrupted = errors.New("interrupted: partial results written")

// ShardFile is the raw, mergeable result every run leaves in its folder.
const ShardFile = "shard.json"

// Result is what a finished (or ended) run leaves.
type Result struct {
	// Dir is the results folder.
	Dir string
	// Summary is what summary.json holds.
	Summary *reporter.Summary
	// Outcome is how the scenario went.
	Outcome loadgen.Outcome
	// Events are what happened to the harness during the run.
	Events []Event
	// Warnings are problems that did not change a figure (server stats
	// that could not be fetched, …).
	Warnings []string
}

// Run carries out p: it starts the embedded server (or uses the user's),
// the fleet (in this process or in workers), runs the scenario, and
// writes the results folder whatever happens after the start. The error
// is ErrInterrupted after Ctrl-C, a *HarnessError when a process of the
// harness failed, or says why the run could not be carried out; in every
// case the Result names what was written.
//
// Its steps, in order: lay out the run (layout.go), serve the live
// metrics (metrics.go), start the server (serverside.go), wait for a
// timetable's start (layout.go), start the fleet (fleet.go) and the host
// sampler (hostsample.go), run the scenario with the fault injector
// (scenario.go, inject.go), see how it ended (ending.go), collect every
// part's results (collect.go), summarise them with the server's own view
// (summarise.go), write the results folder (results.go) and draw the
// report (report.go).
func Run(ctx context.Context, p *Plan) (*Result, error) {
	l := layOut(p, time.Now())
	for _, w := range p.Warnings {
		fmt.Fprintf(p.Stderr, "stormbench: warning: %s\n", w)
	}
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	phase := &phaseName{}
	sup := newSupervisor(l.clock(), phase.get, cancel)
	live := &lazyRunSource{}
	es := &embeddedStats{workers: max(p.ServerWorkers, 1)}
	if err := serveLiveMetrics(runCtx, p, live, es); err != nil {
		return nil, err
	}
	srv, err := startServer(runCtx, p, sup)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	cfg := p.Loadgen
	if srv.emb != nil {
		cfg.URL = srv.emb.URL()
		es.ctl.Store(&srv.ctl)
	}
	clockWarn := clockWarning(runCtx, p)
	if clockWarn != "" {
		fmt.Fprintf(p.Stderr, "stormbench: warning: %s\n", clockWarn)
	}
	if err := waitForStart(runCtx, p.Stderr, p.StartAt, cfg.Shard); err != nil {
		return nil, err
	}
	fr, err := startFleet(p, cfg, l.start, sup)
	if err != nil {
		return nil, err
	}
	stopHost := startHostSampling(fr.rec, p.Kernel, fr.clock, cfg.Interval)
	watchLoops(runCtx, fr, sup)
	sc := scenario{cfg: cfg, start: l.start, fleet: fr, sup: sup, phase: phase, status: p.Status, live: live,
		inj: newInjector(cfg, srv, l.dir, p.Stderr, IsTerminal(p.Status))}
	outcome, stopped, runErr := sc.run(runCtx)

	// From here on nothing may stop the results from being written.
	stopHost()
	end := endingOf(runCtx, runErr)
	outcome.Interrupted = end.interrupted
	shard, finishErr := collect(fr, sup.Events(), end.partialReason(stopped.at, stopped.phase))
	res := &Result{Dir: l.dir, Outcome: outcome, Events: sup.Events()}
	if clockWarn != "" {
		res.Warnings = append(res.Warnings, clockWarn)
	}
	if shard == nil {
		return res, fmt.Errorf("collect results: %w", errors.Join(finishErr, runErr))
	}
	if finishErr != nil {
		res.Warnings = append(res.Warnings, finishErr.Error())
	}
	// The server's own view is part of the summary: fetched first.
	srvStats, err := srv.statsAtEnd(ctx)
	if err != nil {
		res.Warnings = append(res.Warnings, fmt.Sprintf("server stats: %v", err))
	}
	res.Summary = summarise(shard, cfg.LatenessBound, outcome.Interrupted, srvStats, p.Thresholds, string(cfg.ImpliedProtocol()))
	warnings, err := writeResults(l.dir, p, shard, res.Summary, runConfig(p, l, cfg, outcome, srv.restarts()), srvStats)
	res.Warnings = append(res.Warnings, warnings...)
	if err != nil {
		return res, fmt.Errorf("write results: %w", err)
	}
	if w := writeRunReport(l.dir); w != "" {
		res.Warnings = append(res.Warnings, w)
	}
	return res, end.err(outcome.Storms, finishErr, cfg.URL, l.dir)
}

// causeOf returns why ctx ended: ErrInterrupted for the user's Ctrl-C,
// the supervisor's *HarnessError otherwise.
func causeOf(ctx context.Context) error {
	var he *HarnessError
	if errors.As(context.Cause(ctx), &he) {
		return he
	}
	return ErrInterrupted
}
