package experiment

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	sut "github.com/stormbench/stormbench/server-under-test"
)

// serverSide is the server a run measures, as far as the run reaches it.
type serverSide struct {
	// emb is the embedded server the run started; nil with --url.
	emb *embedded
	// ctl returns a client of the server's control API; nil when the run
	// has none (--url without --control, or a shard other than 0).
	ctl func() *sut.ControlClient
}

// startServer starts the embedded server when p has one and returns once
// it is healthy, watched by sup from then on. With --url it reaches the
// user's server's control API (--control) instead: on a timetable from
// shard 0 only, the one shard that applies server-side faults. When ctx
// ends while the embedded server starts, nothing was measured yet: the
// error is why ctx ended (ErrInterrupted for Ctrl-C).
func startServer(ctx context.Context, p *Plan, sup *supervisor) (*serverSide, error) {
	switch {
	case p.Embedded():
		emb, err := startEmbedded(ctx, p.Exe, *p.Server, p.ServerWorkers, p.Stderr, sup)
		if err != nil {
			if ctx.Err() != nil {
				return nil, causeOf(ctx)
			}
			return nil, err
		}
		return &serverSide{emb: emb, ctl: emb.control}, nil
	case p.Control != "" && p.Loadgen.Shard.Index == 0:
		ctl, err := p.controlClient()
		if err != nil {
			return nil, err
		}
		return &serverSide{ctl: func() *sut.ControlClient { return ctl }}, nil
	}
	return &serverSide{}, nil
}

// controlClient is a client of the user's control API (--control): over
// https:// it trusts what the fleet trusts (--ca-cert, --insecure).
func (p *Plan) controlClient() (*sut.ControlClient, error) {
	c := &sut.ControlClient{Base: p.Control, Token: p.ControlToken}
	if !strings.HasPrefix(p.Control, "https://") {
		return c, nil
	}
	tc, err := p.Loadgen.TLS.HTTPSConfig()
	if err != nil {
		return nil, fmt.Errorf("control API %s: %w", p.Control, err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tc
	c.HTTP = &http.Client{Timeout: 60 * time.Second, Transport: tr}
	return c, nil
}

// stop stops the embedded server, if the run started one.
func (s *serverSide) stop() {
	if s.emb != nil {
		s.emb.stop()
	}
}

// restarts counts the embedded server's restarts after crash faults.
func (s *serverSide) restarts() int {
	if s.emb == nil {
		return 0
	}
	return s.emb.Restarts()
}

// statsAtEnd asks the server for its own view of the run (its /stats),
// once the scenario is over: with a deadline of its own, since ctx may
// have ended. It returns nil and no error when there is nobody to ask: no
// control API, or an embedded server that is down (a crash fault still in
// its restart delay, or whose restart the run's end called off).
func (s *serverSide) statsAtEnd(ctx context.Context) (*sut.Stats, error) {
	if s.ctl == nil || s.emb != nil && !s.emb.alive() {
		return nil, nil
	}
	return fetchServerStats(ctx, s.ctl())
}
