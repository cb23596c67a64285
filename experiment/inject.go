package experiment

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/stormbench/stormbench/internal/fault"

	"github.com/stormbench/stormbench/loadgen"
	sut "github.com/stormbench/stormbench/server-under-test"
)

// newInjector returns what applies the faults the fleet cannot apply
// itself: server-side kinds through srv's control API, crashes through the
// embedded server, exec commands (their logs go to dir, their output to
// stderr). It returns nil when the run has none of these to offer; loadgen
// then refuses a server-side fault with a message saying what it needs.
// On a timetable only shard 0 applies faults, exec commands included.
func newInjector(cfg loadgen.Config, srv *serverSide, dir string, stderr io.Writer, tty bool) loadgen.Injector {
	if srv.ctl == nil && srv.emb == nil && (cfg.Fault.Kind.By() != fault.ByCommand || cfg.Shard.Index != 0) {
		return nil
	}
	return &injector{ctl: srv.ctl, emb: srv.emb, dir: dir, stderr: stderr, tty: tty}
}

// injector applies server-side faults through a control API and crashes
// through the embedded server.
type injector struct {
	ctl func() *sut.ControlClient
	emb *embedded
	// dir receives the logs of exec faults; stderr and tty show their output.
	dir    string
	stderr io.Writer
	tty    bool
}

// Inject implements loadgen.Injector.
func (in *injector) Inject(ctx context.Context, k int, f loadgen.Fault) (loadgen.Injected, error) {
	switch f.Kind.By() {
	case fault.ByCommand:
		fc, t0, err := startFaultCommand(f.Command, in.dir, k, in.stderr, in.tty)
		if err != nil {
			return loadgen.Injected{}, err
		}
		return loadgen.Injected{T0: t0, Affected: -1, Process: fc}, nil
	case fault.ByEmbedded:
		if in.emb == nil {
			return loadgen.Injected{}, errors.New("crash needs the embedded server (run without --url)")
		}
		t0, err := in.emb.crash(ctx, f.Duration)
		return loadgen.Injected{T0: t0, Affected: -1}, err
	}
	if in.ctl == nil {
		return loadgen.Injected{}, fmt.Errorf("fault %s needs the server's control API (--control)", f.Kind)
	}
	r, err := in.ctl().Fault(ctx, sut.FaultRequest{Kind: f.Kind, Fraction: f.Fraction, DurationMs: f.Duration.Milliseconds(), Code: f.Code})
	if err != nil {
		return loadgen.Injected{}, err
	}
	return loadgen.Injected{T0: time.Unix(0, r.T0UnixNs), Affected: r.Affected}, nil
}
