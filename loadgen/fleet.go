package loadgen

import (
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stormbench/stormbench/internal/evloop"
)

// Status is a fleet's state as the coordinator sees it, published by every
// loop once per interval.
type Status struct {
	Open       int64 `json:"open"`
	Connecting int64 `json:"connecting"`
	Waiting    int64 `json:"waiting"`
	GaveUp     int64 `json:"gave_up"`
	Attempts   int64 `json:"attempts"`
	Connects   int64 `json:"connects"`
	Failures   int64 `json:"failures"`
	// Disconnects counts open connections that ended.
	Disconnects int64 `json:"disconnects"`
	// Storm is the index of the current (or last) storm, -1 before any.
	Storm int64 `json:"storm"`
	// Affected counts clients hit by a client-side fault or a crash.
	Affected int64 `json:"affected"`
	// Detected counts affected clients that declared their connection dead.
	Detected int64 `json:"detected"`
	// Recovered counts affected clients open again.
	Recovered int64 `json:"recovered"`
	// Clients is the number of clients in the fleet.
	Clients int64 `json:"clients"`
	// InvalidTransitions counts events the client state machine refused;
	// anything but 0 is a bug in the engine.
	InvalidTransitions int64 `json:"invalid_transitions"`
}

// Add sums two statuses (several workers, one fleet).
func (s Status) Add(o Status) Status {
	s.Open += o.Open
	s.Connecting += o.Connecting
	s.Waiting += o.Waiting
	s.GaveUp += o.GaveUp
	s.Attempts += o.Attempts
	s.Connects += o.Connects
	s.Failures += o.Failures
	s.Disconnects += o.Disconnects
	s.Storm = max(s.Storm, o.Storm)
	s.Affected += o.Affected
	s.Detected += o.Detected
	s.Recovered += o.Recovered
	s.Clients += o.Clients
	s.InvalidTransitions += o.InvalidTransitions
	return s
}

// Controller is how the coordinator drives a fleet: the in-process Fleet,
// or a worker process speaking the same operations over a pipe.
type Controller interface {
	// Start schedules the ramp; rampStart is an offset from the run start.
	Start(rampStart time.Duration) error
	// Status returns the fleet's latest published state.
	Status() Status
	// Cut starts a new histogram interval named phase.
	Cut(phase string) error
	// StormBegin opens storm o's window and applies client-side faults.
	StormBegin(o StormOrder) (StormApplied, error)
	// StormT0 tells the fleet when a server-side fault was applied.
	StormT0(k int, t0 time.Duration) error
	// StormEnd closes storm k's window.
	StormEnd(k int) error
	// Drain closes every client and waits until every attempt has
	// reported back.
	Drain() error
	// Close stops the fleet's loops; its recorder then holds everything.
	Close() error
}

// Fleet is one process's part of the client fleet: its event loops, their
// clients, and the dialer.
type Fleet struct {
	cfg    Config
	policy *Policy
	clock  evloop.Clock
	shards []*shard
	dialer *dialer
	wg     sync.WaitGroup
	closed bool
}

// NewFleet builds the clients of cfg's shard on cfg.Loops event loops,
// reading time from clock (an offset from the run's start) and recording
// into rec. Nothing connects until Start.
func NewFleet(cfg Config, rec Recorder, clock evloop.Clock) (*Fleet, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.Resolve()
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("--url must be a ws:// URL (got %q)", cfg.URL)
	}
	pol := cfg.Policy
	f := &Fleet{cfg: cfg, policy: &pol, clock: clock}
	for i := 0; i < cfg.Loops; i++ {
		l, err := evloop.New(clock, evloop.Options{})
		if err != nil {
			f.closeLoops()
			return nil, fmt.Errorf("event loop: %w", err)
		}
		f.shards = append(f.shards, &shard{fl: f, cfg: &f.cfg, loop: l, sink: rec.Sink(i), storm: stormState{k: -1}, payload: make([]byte, 0, 64)})
	}
	// Local client i has global ID i·Count + Index and lives on loop i mod Loops.
	n := localClients(cfg.Clients, cfg.Shard)
	per := make([]int, cfg.Loops)
	for i := 0; i < n; i++ {
		per[i%cfg.Loops]++
	}
	for li, sh := range f.shards {
		sh.clients = make([]client, per[li])
	}
	next := make([]int, cfg.Loops)
	for i := 0; i < n; i++ {
		sh := f.shards[i%cfg.Loops]
		id := uint64(i*cfg.Shard.Count + cfg.Shard.Index)
		sh.clients[next[i%cfg.Loops]].init(sh, id, cfg.Seed)
		next[i%cfg.Loops]++
	}
	f.dialer = newDialer(clock, u, cfg.Dialers, cfg.SourceIPs)
	for _, sh := range f.shards {
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			_ = sh.loop.Run()
		}()
	}
	return f, nil
}

// localClients is how many of n clients shard s holds.
func localClients(n int, s Shard) int {
	if s.Count <= 1 {
		return n
	}
	k := n / s.Count
	if s.Index < n%s.Count {
		k++
	}
	return k
}

// Config returns the resolved configuration.
func (f *Fleet) Config() Config { return f.cfg }

// onEach runs fn on every loop and waits for all of them.
func (f *Fleet) onEach(fn func(sh *shard)) {
	var wg sync.WaitGroup
	for _, sh := range f.shards {
		wg.Add(1)
		sh.loop.Submit(func() {
			defer wg.Done()
			fn(sh)
		})
	}
	wg.Wait()
}

// Start implements Controller.
func (f *Fleet) Start(rampStart time.Duration) error {
	f.onEach(func(sh *shard) { sh.start(rampStart) })
	return nil
}

// Status implements Controller.
func (f *Fleet) Status() Status {
	s := Status{Storm: -1}
	for _, sh := range f.shards {
		p := &sh.pub
		s = s.Add(Status{
			Open: p.open.Load(), Connecting: p.connecting.Load(), Waiting: p.waiting.Load(), GaveUp: p.gaveUp.Load(),
			Attempts: p.attempts.Load(), Connects: p.connects.Load(), Failures: p.failures.Load(), Disconnects: p.disco.Load(),
			Storm: p.stormK.Load(), Affected: p.affected.Load(), Detected: p.detected.Load(), Recovered: p.recovered.Load(),
			Clients: int64(len(sh.clients)), InvalidTransitions: p.invalid.Load(),
		})
	}
	return s
}

// Cut implements Controller.
func (f *Fleet) Cut(phase string) error {
	f.onEach(func(sh *shard) { sh.sink.Cut(sh.loop.Now(), phase) })
	return nil
}

// StormBegin implements Controller.
func (f *Fleet) StormBegin(o StormOrder) (StormApplied, error) {
	var mu sync.Mutex
	out := StormApplied{T0: -1}
	f.onEach(func(sh *shard) {
		a := sh.stormBegin(o)
		mu.Lock()
		defer mu.Unlock()
		out.Affected += a.Affected
		if out.T0 < 0 || a.T0 < out.T0 {
			out.T0 = a.T0
		}
	})
	return out, nil
}

// StormT0 implements Controller.
func (f *Fleet) StormT0(k int, t0 time.Duration) error {
	f.onEach(func(sh *shard) { sh.stormT0(k, t0) })
	return nil
}

// StormEnd implements Controller.
func (f *Fleet) StormEnd(k int) error {
	f.onEach(func(sh *shard) { sh.stormEnd(k) })
	return nil
}

// Drain implements Controller.
func (f *Fleet) Drain() error {
	f.onEach(func(sh *shard) { sh.drain() })
	// Cancel attempts in flight; each still reports back to its loop.
	f.dialer.close()
	// Give servers a moment to complete the closing handshakes.
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) && f.closing() > 0 {
		time.Sleep(10 * time.Millisecond)
	}
	f.onEach(func(sh *shard) {
		sh.abortClosing()
		sh.finish()
	})
	return nil
}

func (f *Fleet) closing() int64 {
	var n atomic.Int64
	f.onEach(func(sh *shard) { n.Add(int64(sh.closing)) })
	return n.Load()
}

// Close implements Controller.
func (f *Fleet) Close() error {
	if f.closed {
		return nil
	}
	f.closed = true
	f.closeLoops()
	return nil
}

func (f *Fleet) closeLoops() {
	for _, sh := range f.shards {
		sh.loop.Stop()
	}
	f.wg.Wait()
	for _, sh := range f.shards {
		sh.loop.Close()
	}
}
