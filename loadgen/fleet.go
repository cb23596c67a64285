package loadgen

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stormbench/stormbench/internal/profile"

	"github.com/stormbench/stormbench/internal/evloop"
	"github.com/stormbench/stormbench/internal/looptls"
	"github.com/stormbench/stormbench/internal/wsframe"
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
	// Status returns the fleet's latest published state, or why the fleet
	// cannot be asked (a dead worker, a stopped loop).
	Status() (Status, error)
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
	target *target
	// req builds each client's upgrade request; formats reads the
	// server's messages.
	req     *upgradeRequest
	formats *formats
	// profile speaks a framework's protocol (Config.Protocol); nil for
	// stormbench's and json.
	profile profile.Profile
	// watchFromReply: the detection rule is the reference client's and it
	// applies only from the server's reply that announces it (STOMP's
	// CONNECTED, profile.Timing.WatchFromReply), not from the upgrade.
	watchFromReply bool
	// wallBase is the Unix time in ns at the clock's zero.
	wallBase int64
	wg       sync.WaitGroup
	closed   bool
	// resolver looks the URL's host up per attempt (resolve.go); ctx is
	// canceled when the fleet closes, ending lookups still in flight. bg
	// counts the lookups' goroutines (a TLS handshake's ends when its
	// attempt does: it runs in step with its loop).
	resolver Resolver
	ctx      context.Context
	cancel   context.CancelFunc
	bg       sync.WaitGroup

	closing  atomic.Bool
	dead     chan struct{}
	deadOnce sync.Once
	deadErr  error
}

// NewFleet builds the clients of cfg's shard on cfg.Loops event loops,
// reading time from clock (an offset from the run's start) and recording
// into rec. Nothing connects until Start.
func NewFleet(cfg Config, rec Recorder, clock evloop.Clock) (*Fleet, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.Resolve()
	cc, err := cfg.compile()
	if err != nil {
		return nil, err
	}
	fm, req, u := cc.formats, cc.req, cc.url
	if u == nil || u.Host == "" {
		return nil, fmt.Errorf("--url must be a ws:// URL (got %q)", cfg.URL)
	}
	resolver := cfg.Resolver
	if resolver == nil {
		resolver = defaultResolver
	}
	tgt, err := newTarget(u, cfg.SourceIPs, cfg.Pin, resolver)
	if err != nil {
		return nil, err
	}
	tgt.maxReq = max(tgt.maxReq, req.max)
	if err := tgt.setupTLS(u, &cfg); err != nil {
		return nil, err
	}
	pol := cfg.Policy
	f := &Fleet{cfg: cfg, policy: &pol, clock: clock, target: tgt, req: req, formats: fm, profile: cc.profile, dead: make(chan struct{}), resolver: resolver}
	if ref, _, _, ok := cfg.Protocol.Reference(); ok && ref.WatchFromReply && cfg.Heartbeat.FollowServer {
		f.watchFromReply = true
	}
	f.ctx, f.cancel = context.WithCancel(context.Background())
	// The wall clock at the run's start, for pings that carry Unix time
	// ({{now_ms}}) and pongs that echo it.
	f.wallBase = time.Now().UnixNano() - int64(clock())
	for i := 0; i < cfg.Loops; i++ {
		l, err := evloop.New(clock, evloop.Options{})
		if err != nil {
			f.closeLoops()
			return nil, fmt.Errorf("event loop: %w", err)
		}
		var live *liveTally
		if cfg.Live {
			live = newLiveTally(cfg.Interval)
		}
		f.shards = append(f.shards, &shard{fl: f, cfg: &f.cfg, hb: cfg.Heartbeat.Mode.spec(), hbTimeout: cfg.Heartbeat.Timeout, loop: l, sink: rec.Sink(i), live: live, storm: stormState{k: -1}, target: tgt.forLoop(),
			payload: make([]byte, 0, 64), req: make([]byte, 0, tgt.maxReq),
			wf: wsframe.Config{Role: wsframe.Client, MaxMessage: cfg.MaxMessage}, procCPU: i == 0})
	}
	// Local client i has global ID i·Count + Index and lives on loop i mod Loops.
	n := localClients(cfg.Clients, cfg.Shard)
	per := make([]int, cfg.Loops)
	for i := 0; i < n; i++ {
		per[i%cfg.Loops]++
	}
	for li, sh := range f.shards {
		sh.clients = make([]client, per[li])
		if tgt.tls != nil {
			sh.rx = make([]byte, max(len(sh.loop.Buf), looptls.MinScratch))
			if tgt.tls.resume {
				sh.sessions = make(tlsSessions, per[li])
			}
		}
	}
	next := make([]int, cfg.Loops)
	for i := 0; i < n; i++ {
		sh := f.shards[i%cfg.Loops]
		id := uint64(i*cfg.Shard.Count + cfg.Shard.Index)
		sh.clients[next[i%cfg.Loops]].init(sh, id, cfg.Seed)
		next[i%cfg.Loops]++
	}
	for i, sh := range f.shards {
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			f.loopExited(i, sh.loop.Run())
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

// ErrLoopStopped reports an event loop that is no longer running: work
// submitted to it would never run, so the fleet says so instead of hanging.
var ErrLoopStopped = errors.New("event loop stopped")

// onEach runs fn on every loop and waits for all of them. A loop that has
// stopped (its Run returned) is an error, never a hang.
func (f *Fleet) onEach(fn func(sh *shard)) error {
	var wg sync.WaitGroup
	var errs []error
	for i, sh := range f.shards {
		wg.Add(1)
		if !sh.loop.Submit(func() {
			defer wg.Done()
			fn(sh)
		}) {
			wg.Done()
			errs = append(errs, fmt.Errorf("loop %d: %w", i, ErrLoopStopped))
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-f.dead:
		// A loop died, perhaps with this work queued: do not wait for it.
		errs = append(errs, f.deadErr)
	}
	return errors.Join(errs...)
}

// loopExited is called when loop i's Run returned. Unless the fleet is
// closing, that is a failure of the harness, reported by every later call.
func (f *Fleet) loopExited(i int, err error) {
	if f.closing.Load() {
		return
	}
	f.deadOnce.Do(func() {
		if err == nil {
			err = errors.New("stopped")
		}
		f.deadErr = fmt.Errorf("loop %d: %w: %w", i, ErrLoopStopped, err)
		close(f.dead)
	})
}

// Dead is closed when an event loop stopped while the fleet was running;
// Err then says which and why.
func (f *Fleet) Dead() <-chan struct{} { return f.dead }

// Err returns why the fleet can no longer run, or nil.
func (f *Fleet) Err() error {
	select {
	case <-f.dead:
		return f.deadErr
	default:
		return nil
	}
}

// Start implements Controller.
func (f *Fleet) Start(rampStart time.Duration) error {
	return f.onEach(func(sh *shard) { sh.start(rampStart) })
}

// Status implements Controller.
func (f *Fleet) Status() (Status, error) {
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
	return s, f.Err()
}

// Cut implements Controller.
func (f *Fleet) Cut(phase string) error {
	return f.onEach(func(sh *shard) { sh.sink.Cut(sh.loop.Now(), phase) })
}

// StormBegin implements Controller.
func (f *Fleet) StormBegin(o StormOrder) (StormApplied, error) {
	var mu sync.Mutex
	out := StormApplied{T0: -1}
	err := f.onEach(func(sh *shard) {
		a := sh.stormBegin(o)
		mu.Lock()
		defer mu.Unlock()
		out.Affected += a.Affected
		if a.T0 >= 0 && (out.T0 < 0 || a.T0 < out.T0) {
			out.T0 = a.T0
		}
	})
	return out, err
}

// StormT0 implements Controller.
func (f *Fleet) StormT0(k int, t0 time.Duration) error {
	return f.onEach(func(sh *shard) { sh.stormT0(k, t0) })
}

// StormEnd implements Controller.
func (f *Fleet) StormEnd(k int) error {
	return f.onEach(func(sh *shard) { sh.stormEnd(k) })
}

// Drain implements Controller.
func (f *Fleet) Drain() error {
	// Open clients start their closing handshakes; attempts in flight end.
	if err := f.onEach(func(sh *shard) { sh.drain() }); err != nil {
		return err
	}
	// Give servers a moment to complete the closing handshakes.
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		n, err := f.closingCount()
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	return f.onEach(func(sh *shard) {
		sh.abortClosing()
		sh.finish()
	})
}

func (f *Fleet) closingCount() (int64, error) {
	var n atomic.Int64
	err := f.onEach(func(sh *shard) { n.Add(int64(sh.closing)) })
	return n.Load(), err
}

// Close implements Controller. Attempts still in flight (a run that ended
// without Drain) are canceled first, so that no lookup or handshake
// goroutine outlives the fleet.
func (f *Fleet) Close() error {
	if f.closed {
		return nil
	}
	f.closed = true
	alive := f.onEach(func(sh *shard) { sh.cancelAttempts() }) == nil
	f.closing.Store(true)
	f.closeLoops()
	if alive {
		f.bg.Wait()
	}
	return nil
}

func (f *Fleet) closeLoops() {
	f.closing.Store(true)
	if f.cancel != nil {
		f.cancel()
	}
	for _, sh := range f.shards {
		sh.loop.Stop()
	}
	f.wg.Wait()
	for _, sh := range f.shards {
		sh.loop.Close()
	}
}
