package main

import (
	"context"
	"net"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/gobwas/ws"
	"golang.org/x/sync/errgroup"
)

// wsResult is the outcome of one WebSocket round.
type wsResult struct {
	// N is the number of connections asked for, C the dials in flight at
	// most.
	N, C int
	// Connected counts completed upgrades.
	Connected int64
	// Fail counts the other attempts by cause.
	Fail failCounts
	// Dur runs from the first dial's start to the last upgrade's end.
	Dur time.Duration
	// Latency holds dial start → HTTP 101, in microseconds.
	Latency *hdrhistogram.Histogram
	// ClientCPU is this process's CPU time during the round; ServerCPU the
	// server's (0 when unknown).
	ClientCPU, ServerCPU time.Duration
}

// Rate is the upgrades per second over the round.
func (r wsResult) Rate() float64 {
	if r.Dur <= 0 {
		return 0
	}
	return float64(r.Connected) / r.Dur.Seconds()
}

// wsRound opens n WebSocket connections to url, one goroutine per dial and
// at most c at once, each dial + upgrade bounded by timeout; it stops
// starting dials when ctx ends. It returns with every connection open; the
// caller closes them with closeAll.
func wsRound(ctx context.Context, url string, n, c int, timeout time.Duration) (wsResult, []net.Conn) {
	r := wsResult{N: n, C: c, Latency: hdrhistogram.New(1, int64(time.Minute/time.Microsecond), 3)}
	conns := make([]net.Conn, n)
	var (
		mu   sync.Mutex
		last time.Time
	)
	var g errgroup.Group
	g.SetLimit(c)
	cpu0 := selfCPU()
	start := time.Now()
	for i := 0; i < n && ctx.Err() == nil; i++ {
		g.Go(func() error {
			d := ws.Dialer{NetDial: netDialFor(i), Timeout: timeout}
			t := time.Now()
			conn, br, _, err := d.Dial(ctx, url)
			done := time.Now()
			if br != nil {
				ws.PutReader(br)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				r.Fail[classify(err)]++
				return nil
			}
			conns[i] = conn
			r.Connected++
			_ = r.Latency.RecordValue(done.Sub(t).Microseconds())
			if done.After(last) {
				last = done
			}
			return nil
		})
	}
	_ = g.Wait()
	r.ClientCPU = selfCPU() - cpu0
	if r.Connected > 0 {
		r.Dur = last.Sub(start)
	}
	return r, conns
}

// closeAll closes every open connection of a round.
func closeAll(conns []net.Conn) {
	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
}
