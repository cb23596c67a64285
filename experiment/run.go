package experiment

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stormbench/stormbench/htmlreport"
	"github.com/stormbench/stormbench/internal/fault"
	"github.com/stormbench/stormbench/internal/kernel"
	"github.com/stormbench/stormbench/internal/livemetrics"
	"github.com/stormbench/stormbench/loadgen"
	"github.com/stormbench/stormbench/reporter"
	sut "github.com/stormbench/stormbench/server-under-test"
)

// ErrInterrupted reports a run stopped by the user (Ctrl-C) after it
// wrote what it had measured.
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

// RunConfig is what config.json holds: every resolved setting, the tool
// and the host.
type RunConfig struct {
	Command  []string       `json:"command"`
	Started  time.Time      `json:"started"`
	Dir      string         `json:"dir"`
	RunID    string         `json:"run_id"`
	Loadgen  loadgen.Config `json:"loadgen"`
	Server   *sut.Config    `json:"server,omitempty"`
	Embedded bool           `json:"embedded_server"`
	Workers  int            `json:"workers"`
	// ServerWorkers is the embedded server's worker processes.
	ServerWorkers int `json:"server_workers,omitempty"`
	// ServerRestarts counts restarts of the embedded server after crashes.
	ServerRestarts int             `json:"server_restarts,omitempty"`
	Outcome        loadgen.Outcome `json:"outcome"`
	Host           HostFacts       `json:"host"`
	// Kernel is the kernel's limits that bound the run (tcp_mem, buffer
	// sizes, listen backlogs); unknown values are null.
	Kernel kernel.Facts `json:"kernel"`
	// TCPMemEstimate is the preflight's estimate of the kernel's TCP
	// memory at the run's peak.
	TCPMemEstimate kernel.Estimate `json:"tcp_mem_estimate"`
}

// Run carries out p: it starts the embedded server (or uses the user's),
// the fleet (in this process or in workers), runs the scenario, and
// writes the results folder whatever happens after the start. The error
// is ErrInterrupted after Ctrl-C, a *HarnessError when a process of the
// harness failed, or says why the run could not be carried out; in every
// case the Result names what was written.
func Run(ctx context.Context, p *Plan) (*Result, error) {
	started := time.Now()
	cfg := p.Loadgen
	dir := filepath.Join(p.Out, started.Format("20060102-150405")+"-"+p.Name)
	if p.Dir != "" {
		dir = p.Dir
	}
	for _, w := range p.Warnings {
		fmt.Fprintf(p.Stderr, "stormbench: warning: %s\n", w)
	}
	var phase atomic.Value
	phase.Store("")
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	start := started
	if !p.StartAt.IsZero() {
		start = p.StartAt
	}
	clock := func() time.Duration { return time.Since(start) }
	sup := newSupervisor(clock, func() string { return phase.Load().(string) }, cancel)

	live := &lazyRunSource{}
	es := &embeddedStats{workers: max(p.ServerWorkers, 1)}
	if p.MetricsListen != "" {
		cols := []prometheus.Collector{livemetrics.NewRunCollector(live)}
		if p.Embedded() {
			cols = append(cols, livemetrics.NewServeCollector(es))
		}
		ms, err := listenMetrics(runCtx, p.MetricsListen, cols...)
		if err != nil {
			return nil, &InputError{fmt.Errorf("--metrics-listen: %w", err)}
		}
		fmt.Fprintf(p.Stderr, "stormbench: metrics on http://%s/metrics\n", ms.Addr())
	}
	var emb *embedded
	inj := &injector{dir: dir, stderr: p.Stderr, tty: IsTerminal(p.Status)}
	if p.Embedded() {
		var err error
		emb, err = startEmbedded(runCtx, p.Exe, *p.Server, p.ServerWorkers, p.Stderr, sup)
		if err != nil {
			if ctx.Err() != nil {
				// Ctrl-C while the server was starting: nothing measured yet.
				return nil, ErrInterrupted
			}
			return nil, err
		}
		defer emb.stop()
		cfg.URL = emb.URL()
		inj.emb = emb
		inj.ctl = emb.control
		es.ctl.Store(&inj.ctl)
	} else if p.Control != "" && cfg.Shard.Index == 0 {
		// On a timetable only shard 0 applies server-side faults.
		ctl := &sut.ControlClient{Base: p.Control, Token: p.ControlToken}
		inj.ctl = func() *sut.ControlClient { return ctl }
	}
	if !p.StartAt.IsZero() {
		fmt.Fprintf(p.Stderr, "stormbench: shard %d/%d waits until %s\n", cfg.Shard.Index, cfg.Shard.Count, p.StartAt.Format(time.RFC3339))
		select {
		case <-time.After(time.Until(p.StartAt)):
		case <-runCtx.Done():
			return nil, causeOf(runCtx)
		}
	}
	var fr *fleetRun
	var err error
	if p.Workers > 1 {
		fr, err = workerFleet(p.Exe, cfg, p.Workers, start, p.RunID, p.Stderr, sup)
	} else {
		fr, err = localFleet(cfg, start, p.RunID)
	}
	if err != nil {
		return nil, err
	}
	stopHost := make(chan struct{})
	hostDone := make(chan struct{})
	go func() {
		defer close(hostDone)
		sampleHost(fr.rec, p.Kernel, fr.clock, cfg.Interval, stopHost)
	}()
	if fr.local != nil {
		go func() {
			select {
			case <-fr.local.Dead():
				sup.fail(Event{Kind: EventLoopStopped, Process: "coordinator", Detail: fr.local.Err().Error()})
			case <-runCtx.Done():
			}
		}()
	}
	opts := loadgen.Options{Start: start, Clock: fr.clock, TTY: IsTerminal(p.Status), Timetable: cfg.Shard.Count > 1,
		OnPhase: func(name string) { phase.Store(name) }}
	// On a timetable only shard 0 applies faults (exec included).
	if inj.ctl != nil || inj.emb != nil || cfg.Fault.Kind.By() == fault.ByCommand && cfg.Shard.Index == 0 {
		opts.Injector = inj
	}
	if p.Status != nil {
		opts.Status = p.Status
	}
	watch := &stormWatch{Recorder: fr.rec}
	if lr, ok := fr.ctl.(loadgen.LiveReader); ok && cfg.Live {
		live.src.Store(&runSource{start: start, clock: fr.clock, phase: func() string { return phase.Load().(string) },
			ctl: fr.ctl, live: lr, storms: watch})
	}
	outcome, runErr := loadgen.Run(runCtx, cfg, supervised{Controller: fr.ctl, sup: sup}, watch, opts)
	// From here on nothing may stop the results from being written.
	close(stopHost)
	<-hostDone
	cause := context.Cause(runCtx)
	if runCtx.Err() == nil {
		cause = nil
	}
	var harnessErr *HarnessError
	interrupted := cause != nil && !errors.As(cause, &harnessErr)
	outcome.Interrupted = interrupted
	// What happened to the harness travels in the results (shard.json
	// too, so that a merge of machines keeps it).
	for _, ev := range sup.Events() {
		fr.rec.Event(ev)
	}
	switch {
	case harnessErr != nil:
		fr.rec.MarkPartial("the run ended early: " + harnessErr.Error())
	case interrupted:
		fr.rec.MarkPartial(fmt.Sprintf("interrupted at %.1fs during %s", outcome.Duration.Seconds(), orUnknown(phase.Load().(string))))
	case runErr != nil:
		fr.rec.MarkPartial("the run could not be carried out: " + runErr.Error())
	}
	shard, _, finishErr := fr.finish()
	res := &Result{Dir: dir, Outcome: outcome, Events: sup.Events()}
	if shard == nil {
		return res, fmt.Errorf("collect results: %w", errors.Join(finishErr, runErr))
	}
	if finishErr != nil {
		res.Warnings = append(res.Warnings, finishErr.Error())
	}
	sum := reporter.Summarize(shard, reporter.SummaryOptions{LatenessBound: cfg.LatenessBound, Interrupted: outcome.Interrupted})
	// The server's own view (stormbench's server only), fetched before the
	// summary is written so that it is part of it.
	var srvStats *sut.Stats
	if inj.ctl != nil && (emb == nil || emb.alive()) {
		st, err := fetchServerStats(ctx, inj.ctl())
		if err != nil {
			res.Warnings = append(res.Warnings, fmt.Sprintf("server stats: %v", err))
		} else {
			srvStats = st
			sum.Server = serverView(st)
			stormTakeovers(sum, st)
		}
	}
	sum.SetThresholds(p.Thresholds)
	res.Summary = sum
	rc := RunConfig{Command: append([]string{"stormbench", "run"}, RedactArgs(p.Args)...), Started: start, Dir: dir, RunID: p.RunID,
		Loadgen: cfg.Redacted(), Embedded: p.Embedded(), Outcome: outcome, Host: ReadHostFacts(), Workers: max(p.Workers, 1),
		Kernel: p.Kernel, TCPMemEstimate: p.TCPMem}
	if p.Embedded() {
		rc.Server = p.Server
		rc.ServerWorkers = p.ServerWorkers
		rc.ServerRestarts = emb.Restarts()
	}
	if err := reporter.WriteRun(dir, shard, sum, rc); err != nil {
		return res, fmt.Errorf("write results: %w", err)
	}
	if err := writeServerCert(dir, p); err != nil {
		return res, fmt.Errorf("write results: %w", err)
	}
	// The raw partial result, so that shards of one run on several
	// machines can be merged exactly (stormbench merge).
	if err := reporter.WriteShard(filepath.Join(dir, ShardFile), shard); err != nil {
		return res, fmt.Errorf("write results: %w", err)
	}
	if srvStats != nil {
		if err := writeServerStats(dir, srvStats); err != nil {
			res.Warnings = append(res.Warnings, fmt.Sprintf("server stats: %v", err))
		}
	}
	// Charts and report.html come from the files just written; failing to
	// draw them costs no figure.
	if err := htmlreport.WriteRun(dir); err != nil {
		res.Warnings = append(res.Warnings, fmt.Sprintf("report.html: %v", err))
	}
	switch {
	case harnessErr != nil:
		return res, harnessErr
	case interrupted:
		return res, ErrInterrupted
	case errors.Is(runErr, loadgen.ErrNoConnection):
		return res, fmt.Errorf("%w to %s (results written to %s)", runErr, cfg.URL, dir)
	case runErr != nil:
		return res, fmt.Errorf("run: %w (partial results written to %s)", runErr, dir)
	case finishErr != nil:
		return res, fmt.Errorf("some load-generator results are missing: %w (partial results written to %s)", finishErr, dir)
	}
	if err := failedCommands(outcome.Storms); err != nil {
		return res, fmt.Errorf("%w (results written to %s)", err, dir)
	}
	return res, nil
}

// ErrFaultCommand reports an exec fault whose command failed: the storm
// was measured, but it may not be the one the user meant to cause.
var ErrFaultCommand = errors.New("fault command failed")

// failedCommands names the storms whose command failed.
func failedCommands(storms []loadgen.StormInfo) error {
	var errs []error
	for k, st := range storms {
		if st.Exec == nil || !st.Exec.Failed() {
			continue
		}
		how := fmt.Sprintf("exited with status %d", st.Exec.ExitCode)
		if st.Exec.Error != "" {
			how = st.Exec.Error
		}
		errs = append(errs, fmt.Errorf("%w: storm %d: %q %s; its output is in %s", ErrFaultCommand, k+1, st.Exec.Command, how, st.Exec.Log))
	}
	return errors.Join(errs...)
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
