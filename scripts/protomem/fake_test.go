package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/measure"
	"github.com/stormbench/stormbench/loadgen"
)

// TestFakeServersHoldClients: every fake server brings the load
// generator's clients to ready and feeds them its broadcast, with nothing
// it does not understand on either side — what protomem's figures assume.
func TestFakeServersHoldClients(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: each protocol holds clients for 1.5 s")
	}
	const clients = 5
	for _, p := range slices.Concat([]*fakeProto{plainProto}, fakeProtos, splitProtos) {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			srv, err := startFake(p, 50*time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.close()
			cfg, err := configOf(p)
			if err != nil {
				t.Fatal(err)
			}
			cfg.URL, cfg.Clients, cfg.RampRate, cfg.Hold, cfg.Loops = srv.url(), clients, 1000, 1500*time.Millisecond, 1
			cfg.Fault = loadgen.Fault{Kind: "none", RecoverTimeout: time.Second}
			cfg = cfg.Resolve()
			start := time.Now()
			clock := func() time.Duration { return time.Since(start) }
			rec := newTally()
			f, err := loadgen.NewFleet(cfg, rec, clock)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if _, err := loadgen.Run(ctx, cfg, f, rec, loadgen.Options{Start: start, Clock: clock}); err != nil {
				t.Fatal(err)
			}
			rec.mu.Lock()
			defer rec.mu.Unlock()
			if rec.joins != clients || srv.joined.Load() != clients {
				t.Errorf("%d clients joined (the server says %d), want %d; %d refusals %q", rec.joins, srv.joined.Load(), clients, len(rec.refusals), rec.refusals[:min(len(rec.refusals), 3)])
			}
			if rec.messages < 2*clients || rec.lost != 0 {
				t.Errorf("%d broadcasts received, %d lost", rec.messages, rec.lost)
			}
			for c, n := range rec.causes {
				if c != measure.CauseDrain {
					t.Errorf("%d connections lost: %v", n, c)
				}
			}
			if len(rec.profileErrors) > 0 || srv.bad.Load() > 0 {
				t.Errorf("%d profile errors %q; the server did not understand %d messages", len(rec.profileErrors), strings.Join(rec.profileErrors[:min(len(rec.profileErrors), 3)], "; "), srv.bad.Load())
			}
		})
	}
}
