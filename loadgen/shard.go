package loadgen

import (
	"sync/atomic"
	"time"

	"github.com/gobwas/ws"

	"github.com/stormbench/stormbench/internal/evloop"
	"github.com/stormbench/stormbench/internal/measure"
	"github.com/stormbench/stormbench/internal/wsframe"
	"golang.org/x/sys/unix"
)

// shard is the part of the fleet one event loop owns: its clients, its
// sink, scratch buffers, and its view of the current storm. Everything in
// it is touched only by the loop's goroutine, except pub.
type shard struct {
	fl      *Fleet
	cfg     *Config
	hb      heartbeatSpec // what cfg.Heartbeat.Mode does, looked up once
	loop    *evloop.Loop
	sink    Sink
	live    *liveTally // the live view's figures, when the fleet keeps them
	target  *target    // the fleet's target, this loop's own copy
	clients []client
	fw      wsframe.Writer
	wf      wsframe.Config // rules of the server's frames, shared by the loop's clients
	payload []byte
	req     []byte // scratch for upgrade requests
	// sealed is scratch for the TLS records of what a wss client sends,
	// rx the raw input a wss connection borrows for one read (tls.go).
	sealed, rx []byte
	// sessions are the clients' TLS session caches (TLS.Resume), nil
	// without.
	sessions tlsSessions
	// sa4 and sa6 are reusable socket addresses for addresses resolved
	// per attempt.
	sa4      unix.SockaddrInet4
	sa6      unix.SockaddrInet6
	dialFree []*dialState // free list of attempt states
	tick     evloop.Timer // gauges every interval
	partEnd  evloop.Timer // end of a partition

	open, connecting, waiting, gaveUp int
	ready                             int // open clients whose join is done
	// hbTimeout is the detection rule in force: the configured timeout,
	// or what a framework's server announced (Heartbeat.FollowServer).
	hbTimeout time.Duration
	// rxAt is the time of the message or timer a framework's profile is
	// handling, rxWire the bytes of that message no event claimed yet
	// (framework_client.go); text is scratch for what a server said.
	rxAt   time.Duration
	rxWire int
	rxOp   ws.OpCode
	rxMsg  []byte // the message's first bytes, for a sample if unrecognised
	text   []byte
	// totals holds the running total of every count column this loop
	// recorded (record.go): the coordinator's status and the live view
	// read them.
	totals       [measure.NumColumns]int64
	draining     bool
	queued       int   // messages the clients hold waiting to be sent
	closing      int   // clients waiting for the server's close after drain
	invalid      int64 // state machine events the table refused (bugs)
	partitionEnd time.Duration
	busyFrom     time.Duration // start of the busy time not reported yet
	procCPU      bool          // this loop reports the process's CPU time (one per process)
	procLast     time.Duration // the process's CPU time at the last report
	limbo        []int         // sockets of partitioned clients, closed when the partition ends
	storm        stormState

	pub status // published for the coordinator every interval
}

// status is what a shard publishes for the coordinator's status line and
// storm bookkeeping; atomics because the coordinator reads them.
type status struct {
	open, connecting, waiting, gaveUp   atomic.Int64
	attempts, connects, failures, disco atomic.Int64
	stormK                              atomic.Int64
	affected, detected, recovered       atomic.Int64
	closing, invalid                    atomic.Int64
}

func (sh *shard) gauge(s State, d int) {
	switch s {
	case StateOpen:
		sh.open += d
	case StateConnecting:
		sh.connecting += d
	case StateWaiting:
		sh.waiting += d
	case StateGaveUp:
		sh.gaveUp += d
	}
}

// tickKind tells the shard's two timers apart.
const (
	tickGauges uint8 = iota
	tickPartitionEnd
)

// OnTimer records the gauges at the end of each interval and publishes the
// shard's status, or ends a partition. These are the harness's own ticks,
// not client actions, so their lateness is not recorded.
func (sh *shard) OnTimer(t *evloop.Timer, now, _ time.Duration) {
	if t.Kind == tickPartitionEnd {
		sh.endPartition()
		return
	}
	at := t.When()
	sh.recordGauges(at - 1)
	sh.reportBusy()
	sh.publish()
	next := at + sh.cfg.Interval
	for next <= now {
		// Fell behind by more than an interval: record the skipped ends too.
		sh.recordGauges(next - 1)
		next += sh.cfg.Interval
	}
	sh.loop.Schedule(&sh.tick, next)
}

// reportBusy records the loop's busy time since the last report. A late
// tick covers more than one interval: the busy time is spread over them in
// proportion, so that no interval shows more than the loop had.
func (sh *shard) reportBusy() {
	// The loop's clock now, not the time its timers began to fire: a tick
	// that fires after a long batch of other timers reports the busy time
	// up to this moment.
	now := sh.loop.Now()
	busy, longest, cpu := sh.loop.TakeBusy()
	var proc time.Duration
	if sh.procCPU {
		total := processCPU()
		proc, sh.procLast = total-sh.procLast, total
	}
	from, iv := sh.busyFrom, sh.cfg.Interval
	sh.busyFrom = now
	span := now - from
	if sh.live != nil {
		sh.live.closeInterval(busy, span)
	}
	if span <= 0 {
		sh.recordBusy(now, busy, longest, cpu)
		if sh.procCPU {
			sh.count(now, measure.ProcCPU, micros(proc))
		}
		return
	}
	for t := from; t < now; {
		end := min((t/iv+1)*iv, now)
		part := float64(end-t) / float64(span)
		share := time.Duration(float64(busy) * part)
		cpuShare := time.Duration(float64(cpu) * part)
		// The longest stretch ended at this report at the latest: it is
		// the last interval's.
		var l time.Duration
		if end == now {
			l = longest
		}
		sh.recordBusy(t, share, l, cpuShare)
		if sh.procCPU {
			sh.count(t, measure.ProcCPU, micros(time.Duration(float64(proc)*part)))
		}
		t = end
	}
}

// processCPU returns the CPU time of the whole process, every thread.
func processCPU() time.Duration {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts) != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

func (sh *shard) publish() {
	p := &sh.pub
	p.open.Store(int64(sh.open))
	p.connecting.Store(int64(sh.connecting))
	p.waiting.Store(int64(sh.waiting))
	p.gaveUp.Store(int64(sh.gaveUp))
	p.attempts.Store(sh.totals[measure.Attempts])
	p.connects.Store(sh.totals[measure.Connects])
	p.failures.Store(sh.totals[measure.Failures])
	p.disco.Store(sh.totals[measure.Disconnects])
	p.stormK.Store(int64(sh.storm.k))
	p.affected.Store(sh.storm.affected)
	p.detected.Store(sh.storm.detected)
	// A storm is over when its clients are ready again, not just open.
	p.recovered.Store(sh.storm.ready)
	p.closing.Store(int64(sh.closing))
	p.invalid.Store(sh.invalid)
	if sh.live != nil {
		sh.live.publish(&sh.totals)
	}
}

// start schedules every client's first attempt on the ramp and starts the
// gauge ticks; it runs on the loop.
func (sh *shard) start(rampStart time.Duration) {
	sh.tick.Init(sh, tickGauges)
	sh.partEnd.Init(sh, tickPartitionEnd)
	sh.loop.TakeBusy()
	sh.busyFrom = sh.loop.Now()
	if sh.procCPU {
		sh.procLast = processCPU()
	}
	first := (sh.loop.Now()/sh.cfg.Interval + 1) * sh.cfg.Interval
	sh.loop.Schedule(&sh.tick, first)
	rate := sh.cfg.RampRate
	for i := range sh.clients {
		c := &sh.clients[i]
		// Global ID g connects at rampStart + g/rate whatever the sharding,
		// so the fleet ramps the same way on one process or many.
		at := rampStart + time.Duration(float64(c.id)/rate*float64(time.Second))
		c.schedule(at)
		c.state = StateIdle
	}
	sh.publish()
}

// drain ends the run for this shard: open clients start the closing
// handshake with 1000 (RFC 6455 §7.1.2, §7.4.1 normal closure) and wait for
// the server to close the TCP connection (§7.1.1); nothing new is scheduled.
func (sh *shard) drain() {
	sh.draining = true
	now := sh.loop.Now()
	for i := range sh.clients {
		c := &sh.clients[i]
		sh.loop.Cancel(&c.timer)
		sh.loop.Cancel(&c.hb)
		switch c.state {
		case StateOpen:
			cut := c.cut
			if !cut {
				var mask [4]byte
				c.send(sh.fw.Close(wsframe.CloseNormal, "", &mask), TrafficOther, now)
			}
			if c.state != StateOpen {
				break // the write failed: already dead
			}
			sh.disconnected(now, measure.CauseDrain)
			c.on(EvDrain)
			if cut || c.unwatched {
				c.cut = false
				c.closeSocket(false)
				break
			}
			c.closing = true
			sh.closing++
		case StateIdle, StateWaiting, StateGaveUp:
			c.on(EvDrain)
		case StateConnecting:
			// The attempt in flight (or waiting for its partitioned SYN's
			// answer) ends here: every attempt has one outcome.
			c.endDial(int(c.fd))
			sh.failedAttempt(c.attemptAt, measure.FailCanceled)
			c.on(EvDrain)
		}
	}
	sh.endPartition()
	sh.publish()
}

// cancelAttempts ends every attempt in flight without recording it (the
// fleet closes): their lookups and handshakes stop.
func (sh *shard) cancelAttempts() {
	sh.draining = true
	for i := range sh.clients {
		if c := &sh.clients[i]; c.dial != nil {
			c.endDial(int(c.fd))
		}
	}
}

// closed finishes a client's closing handshake.
func (sh *shard) closed(c *client) {
	c.closing = false
	sh.closing--
	c.closeSocket(false)
}

// abortClosing closes the sockets whose server never answered the close.
func (sh *shard) abortClosing() {
	for i := range sh.clients {
		if c := &sh.clients[i]; c.closing {
			sh.closed(c)
		}
	}
}

// finish records the last gauges; it runs on the loop after drain, when
// every attempt has reported back.
func (sh *shard) finish() {
	now := sh.loop.Now()
	sh.loop.Cancel(&sh.tick)
	sh.recordGauges(now)
	if sh.cfg.Send.Rate > 0 {
		for i := range sh.clients {
			if c := &sh.clients[i]; c.snd != nil {
				sh.loop.Cancel(&c.snd.timer)
				sh.loop.Cancel(&c.snd.flush)
			}
		}
	}
	sh.reportBusy()
	sh.publish()
}

// endPartition lets partitioned clients send and receive again, and
// closes the sockets they gave up on during the partition.
func (sh *shard) endPartition() {
	for _, fd := range sh.limbo {
		_ = unix.Close(fd)
	}
	sh.limbo = nil
	sh.loop.Cancel(&sh.partEnd)
	now := sh.loop.Now()
	for i := range sh.clients {
		c := &sh.clients[i]
		if !c.cut {
			continue
		}
		c.cut = false
		if c.state == StateOpen && c.unwatched {
			c.unwatched = false
			if err := sh.loop.Add(int(c.fd), unix.EPOLLIN|unix.EPOLLRDHUP, c); err != nil {
				c.dead(now, measure.CauseReset)
			}
		}
	}
	if sh.partitionEnd > now {
		sh.partitionEnd = now
	}
}
