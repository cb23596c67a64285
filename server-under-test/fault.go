package sut

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/evloop"
	"github.com/stormbench/stormbench/internal/fault"
	"golang.org/x/sys/unix"
)

// FaultKinds lists the kinds POST /fault accepts: those the fault table
// (internal/fault) says the server applies.
var FaultKinds = fault.KindsBy(fault.ByServer)

// FaultRequest is the body of POST /fault. Zero means default: fraction 1,
// duration 1000 ms (restart, blackhole), code 1001 (close) or 1012 (restart).
type FaultRequest struct {
	Kind       fault.Kind `json:"kind"`
	Fraction   float64    `json:"fraction"`
	DurationMs int64      `json:"duration_ms"`
	Code       int        `json:"code"`
	// BeforeUnixNs, when set, limits the fault to connections opened
	// before that instant. A group of workers passes its own T0 so that a
	// client that reconnected to a second worker before that worker
	// applied the fault is not hit twice.
	BeforeUnixNs int64 `json:"before_unix_ns,omitempty"`
}

// FaultResponse answers POST /fault: when the server applied the fault
// (its own clock) and how many connections it hit.
type FaultResponse struct {
	T0UnixNs   int64      `json:"t0_unix_ns"`
	Affected   int        `json:"affected"`
	Kind       fault.Kind `json:"kind"`
	DurationMs int64      `json:"duration_ms"`
	Code       int        `json:"code,omitempty"`
}

// ErrBusy reports a restart requested while the listener is still down
// from the previous one.
var ErrBusy = errors.New("a restart is in progress")

// Resolve fills the request's defaults.
func (f FaultRequest) Resolve() FaultRequest {
	if f.Fraction == 0 {
		f.Fraction = 1
	}
	if f.DurationMs == 0 && f.Kind.Lasts() {
		f.DurationMs = 1000
	}
	if f.Code == 0 {
		f.Code = int(f.Kind.CloseCode())
	}
	return f
}

// Validate says what is wrong with a request, naming the field and what
// is allowed.
func (f FaultRequest) Validate() error {
	if f.Kind.By() != fault.ByServer {
		return fmt.Errorf("kind must be one of %s (got %q)", fault.Join(FaultKinds), f.Kind)
	}
	if f.Fraction < 0 || f.Fraction > 1 {
		return fmt.Errorf("fraction must be in (0, 1] (got %v)", f.Fraction)
	}
	if f.DurationMs < 0 || f.DurationMs > int64(time.Hour/time.Millisecond) {
		return fmt.Errorf("duration_ms must be in [0, 3600000] (got %d)", f.DurationMs)
	}
	if f.Code != 0 && !fault.ValidCloseCode(f.Code) {
		return fmt.Errorf("code must be a close code a server may send: 1000–1003, 1007–1014 or 3000–4999 (RFC 6455 §7.4) (got %d)", f.Code)
	}
	return nil
}

// Fault applies f to this server's connections and returns when every
// loop has applied it.
func (s *Server) Fault(ctx context.Context, f FaultRequest) (FaultResponse, error) {
	if err := f.Validate(); err != nil {
		return FaultResponse{}, err
	}
	f = f.Resolve()
	dur := time.Duration(f.DurationMs) * time.Millisecond
	t0 := time.Now()
	if f.Kind.TakesServerDown() {
		s.lnMu.Lock()
		busy := s.ln == nil
		s.lnMu.Unlock()
		if busy {
			return FaultResponse{}, ErrBusy
		}
		// Close the listener first so that reconnects are refused at once.
		s.closeListener()
		time.AfterFunc(dur, s.relisten)
	}
	s.stats.recordFault(f.Kind)
	cutoff := t0
	if f.BeforeUnixNs != 0 {
		cutoff = time.Unix(0, f.BeforeUnixNs)
	}
	// Only connections opened before T0 are hit, whichever loop gets to
	// the fault last.
	before := s.monoAt(cutoff)
	counts := make(chan int, len(s.shards))
	for _, sh := range s.shards {
		sh.loop.Submit(func() { sh.applyFault(f, dur, before, counts) })
	}
	total := 0
	for range s.shards {
		select {
		case n := <-counts:
			total += n
		case <-ctx.Done():
			return FaultResponse{}, fmt.Errorf("apply fault: %w", ctx.Err())
		}
	}
	return FaultResponse{T0UnixNs: t0.UnixNano(), Affected: total, Kind: f.Kind, DurationMs: f.DurationMs, Code: f.Code}, nil
}

// relisten reopens the listener after a restart, retrying while the port
// is still held (e.g. by a slow close).
func (s *Server) relisten() {
	for {
		select {
		case <-s.stopped:
			return
		default:
		}
		// The bound address, not the configured one: ":0" must come back
		// on the same port.
		if err := s.listen(s.Addr()); err == nil {
			return
		} else {
			fmt.Fprintf(s.logw, "sut: restart: %v; retrying\n", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// pick chooses round(fraction × open) of the connections opened before
// the cutoff, at random.
func (sh *shard) pick(fraction float64, skipHoles bool, before time.Duration) []*conn {
	out := make([]*conn, 0, len(sh.conns))
	for _, c := range sh.conns {
		if !(skipHoles && c.blackholed) && c.opened <= before {
			out = append(out, c)
		}
	}
	if fraction >= 1 {
		return out
	}
	k := int(fraction*float64(len(out)) + 0.5)
	for i := 0; i < k; i++ {
		j := i + sh.rng.IntN(len(out)-i)
		out[i], out[j] = out[j], out[i]
	}
	return out[:k]
}

// applyFault hits the chosen connections. It reports their number on
// counted first, so that the control API answers without waiting for tens
// of thousands of closes while the storm they cause competes for the CPU.
func (sh *shard) applyFault(f FaultRequest, dur, before time.Duration, counted chan<- int) {
	targets := sh.pick(f.Fraction, f.Kind == fault.Blackhole, before)
	counted <- len(targets)
	switch f.Kind {
	case fault.Close, fault.Restart:
		for _, c := range targets {
			c.goAway(ws.StatusCode(f.Code), discFault)
		}
	case fault.Abort:
		for _, c := range targets {
			c.close(discFault, true)
		}
	case fault.Blackhole:
		now := sh.loop.Now()
		for _, c := range targets {
			// Stop reading and writing: the kernel still ACKs what the
			// client sends, so to the client this is a half-open zombie.
			c.blackholed = true
			sh.loop.Remove(c.fd)
			// The server itself is alive: its idle timeout keeps running
			// and ends a connection that stays silent (a zombie), as it
			// would behind a real network blackhole. It sends nothing.
			sh.loop.Cancel(&c.ping)
			sh.holes = append(sh.holes, c)
		}
		if end := now + dur; !sh.holeEnd.Armed() || sh.holeEnd.When() < end {
			sh.loop.Schedule(&sh.holeEnd, end)
		}
	}
}

type holeTimer struct{ sh *shard }

// OnTimer ends a blackhole: the connections that are still open are read
// and written again (most will find that their client has gone).
func (h holeTimer) OnTimer(_ *evloop.Timer, now, _ time.Duration) {
	sh := h.sh
	cfg := &sh.srv.cfg
	holes := sh.holes
	sh.holes = nil
	for _, c := range holes {
		if c.closed {
			continue
		}
		c.blackholed = false
		c.lastRecv = now
		if err := sh.loop.Add(c.fd, unix.EPOLLIN|unix.EPOLLRDHUP, c); err != nil {
			c.blackholed = true // not registered: close must not remove it
			c.close(discWriteError, false)
			continue
		}
		if cfg.IdleTimeout > 0 {
			sh.loop.Schedule(&c.idle, now+cfg.IdleTimeout)
		}
		if cfg.PingInterval > 0 {
			sh.loop.Schedule(&c.ping, now+cfg.PingInterval)
		}
	}
}
