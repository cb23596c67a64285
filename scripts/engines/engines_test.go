package main

import (
	"context"
	"io"
	"testing"
	"time"

	sut "github.com/stormbench/stormbench/server-under-test"
)

// TestEnginesRunTheSameFleet runs a small fleet on every engine against
// stormbench's server: every client must open, ping through the hold and
// read its pongs (the server closes a client whose frames break RFC 6455,
// which would show as dead clients), and the figures must be recorded.
func TestEnginesRunTheSameFleet(t *testing.T) {
	s, err := sut.New(sut.Config{Listen: "127.0.0.1:0", Control: "127.0.0.1:0", ControlToken: "tok"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	const n = 200
	for _, eng := range []string{"evloop", "gnet", "nbio"} {
		t.Run(eng, func(t *testing.T) {
			cfg := childConfig{
				Engine: eng, N: n, Procs: 1, Loops: 2, Addr: s.Addr(),
				T0: time.Now().Add(200 * time.Millisecond).UnixNano(), Rate: 2000,
				Interval: 200 * time.Millisecond, Timeout: 5 * time.Second,
				Settle: 300 * time.Millisecond, Hold: time.Second, ConnectTimeout: 5 * time.Second,
			}
			r, err := measure(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if r.Clients != n || r.Attempts != n || r.Opened != n || r.Failed != 0 || r.Dead != 0 {
				t.Fatalf("clients %d, attempts %d, opened %d, failed %d, dead %d; want %d opened, none lost",
					r.Clients, r.Attempts, r.Opened, r.Failed, r.Dead, n)
			}
			// 1 s of pings every 200 ms: about 5 per client.
			if r.HoldPings < 3*n || r.HoldPings > 7*n {
				t.Errorf("hold pings %d, want about %d", r.HoldPings, 5*n)
			}
			if r.HoldPongs < r.HoldPings*9/10 {
				t.Errorf("hold pongs %d for %d pings", r.HoldPongs, r.HoldPings)
			}
			if len(r.RampLate.Buckets) == 0 || len(r.Connect.Buckets) == 0 || len(r.HoldLate.Buckets) == 0 || len(r.RTT.Buckets) == 0 {
				t.Errorf("a histogram is empty: ramp %v, connect %v, hold %v, rtt %v",
					r.RampLate.Buckets, r.Connect.Buckets, r.HoldLate.Buckets, r.RTT.Buckets)
			}
			if r.LastOpen <= 0 || r.RampCPU <= 0 || r.HoldCPU <= 0 {
				t.Errorf("last open %v, ramp CPU %v, hold CPU %v: want all > 0", r.LastOpen, r.RampCPU, r.HoldCPU)
			}
		})
	}
}
