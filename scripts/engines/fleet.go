package main

import (
	"encoding/binary"
	"fmt"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/gobwas/ws"

	"github.com/stormbench/stormbench/internal/handshake"
	"github.com/stormbench/stormbench/internal/protocol"
	"github.com/stormbench/stormbench/internal/wsframe"
)

// childConfig is one client process's part of a trial: its slice of the
// fleet and the trial's timeline, the same for every engine.
type childConfig struct {
	Engine string
	// N is the whole fleet; this process owns clients Index, Index+Procs, …
	N, Procs, Index int
	// Loops is the number of event loops (pollers) of the engine.
	Loops int
	// Addr is the server, host:port.
	Addr string
	// T0 is the start of the ramp, Unix nanoseconds: client g is due to
	// connect at T0 + g/Rate.
	T0   int64
	Rate float64
	// Interval is the heartbeat interval, Timeout the heartbeat deadline
	// (a connection silent this long is dead).
	Interval, Timeout time.Duration
	// Settle separates the end of the ramp from the hold window, Hold is
	// the window's length (0: the trial ends once the fleet is open).
	Settle, Hold   time.Duration
	ConnectTimeout time.Duration
}

func (c *childConfig) rampEnd() time.Duration {
	return time.Duration(float64(c.N) / c.Rate * float64(time.Second))
}
func (c *childConfig) holdStart() time.Duration { return c.rampEnd() + c.Settle }
func (c *childConfig) holdEnd() time.Duration   { return c.holdStart() + c.Hold }

// ids returns the global ids of this process's clients.
func (c *childConfig) ids() []uint64 {
	var ids []uint64
	for g := c.Index; g < c.N; g += c.Procs {
		ids = append(ids, uint64(g))
	}
	return ids
}

// fleet is what one client process's clients share, whatever the engine.
type fleet struct {
	cfg   childConfig
	mono0 time.Time
	// t0 is T0 on the process's clock (time since mono0): the clock never
	// goes negative, as evloop's wheel requires.
	t0   time.Duration
	tmpl *handshake.Template
	wf   wsframe.Config
	// rampEnd, holdStart, holdEnd: the timeline on the same clock.
	rampEnd, holdStart, holdEnd time.Duration
	st                          stats
}

// stats are the process's figures; atomics because nbio's timers run on
// goroutines of their own.
type stats struct {
	attempts, opened, failed, dead atomic.Int64
	pings, pongs                   atomic.Int64
	holdPings, holdPongs           atomic.Int64
	lastOpen                       atomic.Int64 // process clock
	// rampLate: attempt starts after their schedule; connect: attempt
	// start to 101 parsed; holdLate: ping and deadline timers run after
	// their schedule, in the hold window; rtt: ping sent to pong read.
	rampLate, connect, holdLate, rtt hist
}

func newFleet(cfg childConfig) (*fleet, error) {
	u, err := url.Parse("ws://" + cfg.Addr + "/ws")
	if err != nil {
		return nil, err
	}
	tmpl, err := handshake.NewTemplate(u, handshake.Options{})
	if err != nil {
		return nil, err
	}
	f := &fleet{cfg: cfg, mono0: time.Now(), tmpl: tmpl, wf: wsframe.Config{Role: wsframe.Client}}
	f.t0 = max(time.Unix(0, cfg.T0).Sub(f.mono0), 0)
	f.rampEnd, f.holdStart, f.holdEnd = f.t0+cfg.rampEnd(), f.t0+cfg.holdStart(), f.t0+cfg.holdEnd()
	return f, nil
}

// now is the time since the process's start on the monotonic clock.
func (f *fleet) now() time.Duration { return time.Since(f.mono0) }

func (f *fleet) inHold(t time.Duration) bool { return t >= f.holdStart && t < f.holdEnd }

// Client states.
const (
	stIdle uint32 = iota
	stConnecting
	stOpen
	stGone // failed or dead: the benchmark does not reconnect
)

// core is a client's engine-independent part: its schedule, the
// handshake, the heartbeat and the frames it reads. Every engine embeds
// it, so the clients behave the same and only the engine differs.
type core struct {
	f     *fleet
	id    uint64
	rng   uint64
	state atomic.Uint32
	// sched is when the main timer is due: the attempt, then each ping.
	sched time.Duration
	// hbAt is when the deadline timer is due: the connect deadline, then
	// the heartbeat deadline (lastRecv + Timeout, pushed lazily).
	hbAt      time.Duration
	attemptAt time.Duration
	lastRecv  atomic.Int64
	accept    handshake.Accept
	head      []byte // a response head that arrived in pieces
	ping      [14]byte
	dec       wsframe.Decoder
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

func (c *core) init(f *fleet, id uint64) {
	c.f = f
	c.id = id
	c.rng = splitmix(id ^ 0x5eed)
	c.sched = f.t0 + time.Duration(float64(id)/f.cfg.Rate*float64(time.Second))
}

func (c *core) rand() uint64 {
	c.rng = splitmix(c.rng)
	return c.rng
}

// attempt notes an attempt starting now, late after its schedule, and
// arms the connect deadline (hbAt).
func (c *core) attempt(now time.Duration) {
	st := &c.f.st
	st.attempts.Add(1)
	st.rampLate.record(now - c.sched)
	c.attemptAt = now
	c.hbAt = now + c.f.cfg.ConnectTimeout
	c.state.Store(stConnecting)
}

// request appends the upgrade request (RFC 6455 §4.1) to dst.
func (c *core) request(dst []byte) []byte {
	hi := splitmix(c.id)
	k := handshake.KeyFromBits(hi, splitmix(hi^0xd1a1))
	c.accept = k.Accept()
	return c.f.tmpl.AppendRequest(dst, protocol.Query{Client: c.id, HasClient: true}, &k)
}

// Outcomes of response.
const (
	respMore = iota // the head is incomplete
	respOpen        // a valid 101: frames may follow
	respFail
)

// response reads the response head from data (after what came before)
// and returns the frames behind a complete 101.
func (c *core) response(data []byte) ([]byte, int) {
	buf := data
	if len(c.head) > 0 {
		c.head = append(c.head, data...)
		buf = c.head
	}
	exp := handshake.Expect{Accept: c.accept}
	_, n, err := handshake.Parse(buf, &exp)
	switch {
	case err != nil:
		c.head = nil
		return nil, respFail
	case n == 0:
		if len(c.head) == 0 {
			c.head = append(c.head, data...)
		}
		return nil, respMore
	}
	rest := buf[n:]
	c.head = nil
	return rest, respOpen
}

// opened makes the client open at now and sets its timers: the first
// ping at U(0, Interval) after the later of now and the end of the ramp
// (so that the ramp's CPU is connects only, and every client has pinged
// before the hold window), the heartbeat deadline Timeout after that same
// instant: a client that opened early in a long ramp is silent until the
// ramp ends, and must not be declared dead for it.
func (c *core) opened(now time.Duration) {
	f := c.f
	st := &f.st
	c.state.Store(stOpen)
	st.opened.Add(1)
	st.connect.record(now - c.attemptAt)
	for {
		m := st.lastOpen.Load()
		if int64(now) <= m || st.lastOpen.CompareAndSwap(m, int64(now)) {
			break
		}
	}
	start := max(now, f.rampEnd)
	c.lastRecv.Store(int64(start))
	c.dec.Reset()
	c.sched = start + time.Duration(c.rand()%uint64(f.cfg.Interval))
	c.hbAt = start + f.cfg.Timeout
}

// frames decodes what arrived on the open connection; false: the
// connection broke the protocol or closed.
func (c *core) frames(data []byte, now time.Duration) bool {
	if len(data) == 0 {
		return true
	}
	c.lastRecv.Store(int64(now))
	return c.dec.Feed(&c.f.wf, data, c, now) == nil && c.state.Load() == stOpen
}

// pingDue builds the ping due at c.sched, records its lateness, and moves
// c.sched on by one interval. The frame is masked (§5.3) and carries the
// send time, which the server's pong echoes (§5.5.3).
func (c *core) pingDue(now time.Duration) []byte {
	f := c.f
	if f.inHold(c.sched) {
		f.st.holdLate.record(now - c.sched)
		f.st.holdPings.Add(1)
	}
	f.st.pings.Add(1)
	m := uint32(c.rand())
	b := &c.ping
	b[0] = 0x80 | byte(ws.OpPing)
	b[1] = 0x80 | 8
	binary.LittleEndian.PutUint32(b[2:6], m)
	binary.BigEndian.PutUint64(b[6:], uint64(now))
	ws.Cipher(b[6:], [4]byte(b[2:6]), 0)
	next := c.sched + f.cfg.Interval
	if next <= now {
		next = now + f.cfg.Interval
	}
	c.sched = next
	return b[:]
}

// deadlineDue applies the detection rule when the deadline timer fires:
// dead if nothing arrived for Timeout, else the timer moves to the new
// deadline (c.hbAt).
func (c *core) deadlineDue(now time.Duration) (dead bool) {
	f := c.f
	if f.inHold(c.hbAt) {
		f.st.holdLate.record(now - c.hbAt)
	}
	deadline := time.Duration(c.lastRecv.Load()) + f.cfg.Timeout
	if now >= deadline {
		return true
	}
	c.hbAt = deadline
	return false
}

// gone ends the client: failed while connecting, dead once open. It
// reports false if it was already gone.
func (c *core) gone() bool {
	switch c.state.Swap(stGone) {
	case stConnecting:
		c.f.st.failed.Add(1)
	case stOpen:
		c.f.st.dead.Add(1)
	case stGone:
		return false
	}
	return true
}

// Message implements wsframe.Handler: the server sends none here.
func (c *core) Message(time.Duration, ws.OpCode, []byte, int) bool { return true }

// Skipped implements wsframe.Handler.
func (c *core) Skipped(time.Duration, ws.OpCode, int64, int) bool { return true }

// Control implements wsframe.Handler: a pong gives the round trip of the
// ping it echoes; a close frame ends the connection.
func (c *core) Control(at time.Duration, op ws.OpCode, p []byte, _ int) bool {
	switch op {
	case ws.OpPong:
		if len(p) == 8 {
			f := c.f
			sent := time.Duration(binary.BigEndian.Uint64(p))
			f.st.pongs.Add(1)
			if f.inHold(sent) {
				f.st.holdPongs.Add(1)
				f.st.rtt.record(at - sent)
			}
		}
	case ws.OpClose:
		return false
	}
	return true
}

// engine is one event-loop engine running the fleet's clients.
type engine interface {
	// start starts the loops; no client exists yet.
	start(f *fleet) error
	// launch builds the clients of ids and arms their attempts.
	launch(ids []uint64) error
}

func newEngine(name string) (engine, error) {
	switch name {
	case "evloop":
		return &evEngine{}, nil
	case "gnet":
		return &gnEngine{}, nil
	case "nbio":
		return &nbEngine{}, nil
	}
	return nil, fmt.Errorf("unknown engine %q (evloop, gnet, nbio)", name)
}
