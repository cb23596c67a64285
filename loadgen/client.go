package loadgen

import (
	"encoding/binary"
	"math/rand/v2"
	"time"

	"github.com/stormbench/stormbench/internal/measure"
	"github.com/stormbench/stormbench/internal/profile"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/evloop"
	"github.com/stormbench/stormbench/internal/looptls"
	"github.com/stormbench/stormbench/internal/protocol"
	"github.com/stormbench/stormbench/internal/template"
	"github.com/stormbench/stormbench/internal/wsframe"
	"golang.org/x/sys/unix"
)

// Timer kinds. A client has two timers: timer (attempt, ping or
// partition-dial) and hb (the connect deadline while connecting; while
// open, the heartbeat deadline and, until the client is ready, its join
// deadline, whichever comes first).
const (
	timerAttempt           uint8 = iota // ramp start or backoff over: dial
	timerPing                           // send the next heartbeat
	timerPartitionDial                  // a SYN sent during a partition gets its answer (or not)
	timerHeartbeatDeadline              // open and watched: the heartbeat rule applies (plus the join deadline until ready)
	timerJoinDeadline                   // open and not watched (yet): only the join deadline applies
	timerConnectDeadline
)

// client is one simulated WebSocket client. It holds no goroutine and no
// buffer while idle: its socket belongs to its shard's event loop, and its
// timers are nodes of that loop's wheel.
type client struct {
	sh      *shard
	id      uint64
	fd      int32
	state   State
	haveSeq bool
	// seqFresh: no sequenced message arrived yet on this connection; a
	// first one that goes backwards means the server's sequence restarted.
	seqFresh bool
	cut      bool // partitioned: sends and receives are dropped
	// unwatched: the socket was taken out of epoll during a partition
	// (its FIN or RST arrived, and would have been lost).
	unwatched bool
	closing   bool // drained: waiting for the server to close
	ready     bool // open and joined (framework_client.go)
	storm     int16
	// readyStorm is the storm whose affected client this connection
	// recovered, until it is ready too; -1: none.
	readyStorm int16
	attempts   int32  // since the last loss of a connection (or the first attempt)
	dials      uint32 // upgrade requests sent, for a fresh Sec-WebSocket-Key each
	// lastDirect is the id of the last of the server's direct messages
	// (its offline queue) this client received; 0: none yet.
	lastDirect uint32
	// dial is the state of the attempt in flight (connecting only).
	dial *dialState
	// snd is the client's own messages (Config.Send), nil when it sends none.
	snd *sendState
	// tls is the TLS layer of a wss connection (tls.go), from its
	// handshake on; nil for ws.
	tls *looptls.Conn
	// ps is the connection's state in a framework's protocol; nil
	// without one.
	ps *profile.State

	timer evloop.Timer // attempt, ping or partition-dial
	hb    evloop.Timer // heartbeat deadline
	rng   rand.PCG
	bo    BackoffState

	scheduled time.Duration // when the next attempt is due
	attemptAt time.Duration // when the current attempt started
	openedAt  time.Duration
	lastRecv  time.Duration // last frame (server mode: last server ping)
	pingAt    time.Duration // the oldest unanswered ping; 0: none
	lostAt    time.Duration // when the last connection was declared dead; -1: never connected
	// lostOpened is when the connection lost at lostAt had opened, and
	// lostCause why it was lost: an observed storm attributes losses
	// after the fact (observeBegin).
	lostOpened time.Duration
	lostCause  measure.Cause
	lastSeq    int64
	out        []byte // bytes the socket did not take yet (bounded: maxOut)
	dec        wsframe.Decoder
}

// maxOut bounds what a client keeps of frames its socket did not take: a
// server that stops reading fills the socket's send buffer (SocketBuffer),
// then this, and the client gives up on the connection (send_overflow)
// instead of buffering without end.
const maxOut = 64 << 10

func (c *client) init(sh *shard, id uint64, seed uint64) {
	c.sh = sh
	c.id = id
	c.fd = -1
	c.storm = -1
	c.readyStorm = -1
	c.lostAt = -1
	if sh.fl.profile != nil {
		c.ps = &profile.State{}
	}
	c.rng = clientRNG(seed, id)
	c.timer.Init(c, timerAttempt)
	c.hb.Init(c, timerHeartbeatDeadline)
}

// on moves the client through the state machine (state.go). An event the
// table does not allow is a bug; it is counted, never silently applied.
func (c *client) on(e Event) {
	n, ok := c.state.Next(e)
	if !ok {
		c.sh.invalid++
		return
	}
	sh := c.sh
	sh.gauge(c.state, -1)
	c.state = n
	sh.gauge(n, +1)
}

// OnTimer runs the client's scheduled actions.
func (c *client) OnTimer(t *evloop.Timer, now, late time.Duration) {
	sh := c.sh
	if t == &c.hb {
		sh.late(late)
		if t.Kind == timerConnectDeadline {
			c.connectTimeout(now)
			return
		}
		c.checkDeadline(now)
		return
	}
	if c.snd != nil && (t == &c.snd.timer || t == &c.snd.flush) {
		sh.late(late)
		if t.Kind == timerSend {
			c.produce(now, t.When())
		} else {
			c.pacedFlush(now)
		}
		return
	}
	switch t.Kind {
	case timerAttempt:
		c.attempt(now, late)
	case timerPing:
		sh.late(late)
		c.ping(now, t.When())
	case timerPartitionDial:
		sh.late(late)
		c.partitionDial(now)
	}
}

// schedule arms the attempt timer for when.
func (c *client) schedule(when time.Duration) {
	c.scheduled = when
	c.timer.Kind = timerAttempt
	c.sh.loop.Schedule(&c.timer, when)
}

// attempt starts a connection attempt, late by late after its schedule.
func (c *client) attempt(now, late time.Duration) {
	sh := c.sh
	if sh.draining || c.state == StateConnecting || c.state == StateOpen {
		return
	}
	c.on(EvSchedule)
	c.attemptAt = now
	if c.snd == nil {
		c.startSending(now)
	}
	sh.attempted(now, late)
	if c.storm >= 0 && int(c.storm) == sh.storm.k && sh.storm.active {
		sh.stormEvent(int(c.storm), StormEvent{Kind: StormAttempt})
	}
	if c.cut {
		// Partitioned: the SYN is lost. Linux retransmits it 1 s, 3 s, 7 s,
		// 15 s … after the first; the first retransmission after the
		// partition ends connects, unless the connect timeout comes first.
		end := sh.partitionEnd
		for r := time.Second; ; r = 2*r + time.Second {
			if c.attemptAt+r >= end || r >= sh.cfg.ConnectTimeout {
				at := min(c.attemptAt+r, c.attemptAt+sh.cfg.ConnectTimeout)
				c.timer.Kind = timerPartitionDial
				sh.loop.Schedule(&c.timer, at)
				return
			}
		}
	}
	c.connect(now, now)
}

// partitionDial ends an attempt started during a partition: it either
// times out or, the partition being over, really dials.
func (c *client) partitionDial(now time.Duration) {
	sh := c.sh
	if now-c.attemptAt >= sh.cfg.ConnectTimeout || c.cut && now < sh.partitionEnd {
		c.failed(now, measure.FailTimeout, c.attemptAt)
		return
	}
	c.connect(now, c.attemptAt)
}

// opened makes a connecting client open: the handshake completed on fd.
func (c *client) opened(now time.Duration) {
	sh := c.sh
	if sh.draining || c.state != StateConnecting {
		// Cannot happen while the attempt is on the loop; kept as a guard.
		fd := int(c.fd)
		sh.loop.Remove(fd)
		unix.Close(fd)
		c.fd = -1
		c.tls = nil
		sh.disconnected(now, measure.CauseDrain)
		return
	}
	c.on(EvConnected)
	c.dec.Reset()
	c.openedAt = now
	c.lastRecv = now
	c.pingAt = 0
	c.seqFresh = true
	c.attempts++
	sh.fl.policy.Connected(&c.bo)
	if c.lostAt >= 0 {
		sh.reconnected(now, now-c.lostAt, int(c.attempts))
		if c.storm >= 0 && int(c.storm) == sh.storm.k && sh.storm.active {
			sh.stormRecovered(c, now)
			c.readyStorm = c.storm
		}
	}
	c.storm = -1
	if p := sh.fl.profile; p != nil {
		c.frameworkOpened(p, now)
		if c.state != StateOpen {
			return
		}
	} else {
		c.becameReady(now)
	}
	// attempts keeps what this recovery took until the next loss: an
	// observed storm opened later still learns it (observeBegin).
	c.startHeartbeat(now)
	c.sendOpened(now)
}

// failed handles a failed attempt: back off, or give up.
func (c *client) failed(now time.Duration, cause measure.FailCause, start time.Duration) {
	c.refused(now, cause, start, -1)
}

// refused is failed with the Retry-After of the server's refusal (-1: none).
func (c *client) refused(now time.Duration, cause measure.FailCause, start, retryAfter time.Duration) {
	sh := c.sh
	sh.failedAttempt(start, cause)
	c.attempts++
	c.backoff(now, now-start, EvFailed, retryAfter)
}

// backoff schedules the next attempt with the reconnect policy (ev is the
// state machine's event for how the client got here), or gives up.
// backoff schedules the next attempt after the policy's delay; retryAfter,
// when ≥ 0, is what the server's refusal asked for.
func (c *client) backoff(now, sinceAttempt time.Duration, ev Event, retryAfter time.Duration) {
	sh := c.sh
	if sh.draining {
		c.on(EvDrain)
		return
	}
	d, ok := sh.fl.policy.Next(&c.bo, &c.rng, sinceAttempt)
	if retryAfter >= 0 {
		honour := sh.cfg.RespectRetryAfter && ok && retryAfter > d
		sh.retryAfter(now, honour)
		if honour {
			d = retryAfter
		}
	}
	if !ok {
		c.giveUp(now)
		return
	}
	sh.observe(measure.BackoffDelay, d)
	c.on(ev)
	c.schedule(now + d)
}

func (c *client) giveUp(now time.Duration) {
	c.sh.count(now, measure.GaveUp, 1)
	c.on(EvExhausted)
}

func (c *client) startHeartbeat(now time.Duration) {
	sh := c.sh
	hb := &sh.cfg.Heartbeat
	if sh.hb.pings == pingerClient {
		first := now
		if hb.Spread > 0 {
			first += time.Duration(uniform(&c.rng, int64(hb.Spread)))
		}
		c.timer.Kind = timerPing
		sh.loop.Schedule(&c.timer, first)
	}
	// The reference client of a protocol that watches from the server's
	// reply (STOMP's CONNECTED) starts watching when that reply announces
	// the rule: that event arms the heartbeat deadline
	// (framework_client.go), and a reply announcing none leaves the
	// connection unwatched, as the client does.
	watched := sh.hb.pings != pingerNobody && !sh.fl.watchFromReply
	at := time.Duration(-1)
	c.hb.Kind = timerJoinDeadline
	if watched {
		c.hb.Kind = timerHeartbeatDeadline
		at = now + sh.hbTimeout
	}
	// A join still to come is bounded too (joinDeadline).
	if join := c.joinDeadline(); join >= 0 && (at < 0 || join < at) {
		at = join
	}
	if at >= 0 {
		sh.loop.Schedule(&c.hb, at)
	}
}

// joinDeadline is when an open client that is not ready gives up on its
// join: Config.JoinTimeout after the attempt's start (dial, handshake and
// join are one attempt to the framework's clients that bound it); -1 when
// the client is ready or its join has no bound.
func (c *client) joinDeadline() time.Duration {
	if c.ready || c.sh.cfg.JoinTimeout < 0 {
		return -1
	}
	return c.attemptAt + c.sh.cfg.JoinTimeout
}

// ping sends one heartbeat and schedules the next on the same cadence.
func (c *client) ping(now, scheduled time.Duration) {
	sh := c.sh
	if c.state != StateOpen {
		return
	}
	if p := sh.fl.profile; p != nil && sh.hb.app {
		// The framework's own heartbeat (a Phoenix heartbeat, an MQTT
		// PINGREQ); a protocol whose clients never ping sends nothing.
		sh.rxAt = now
		sent := p.Ping(c, c.ps)
		if c.state != StateOpen {
			return
		}
		if !sent {
			// Nothing to send this time (STOMP before its heart-beats are
			// negotiated, a protocol whose clients never ping): ask again
			// at the next beat.
			c.nextPing(now, scheduled)
			return
		}
		c.pinged(now, scheduled)
		return
	}
	var mask [4]byte
	binary.LittleEndian.PutUint32(mask[:], uint32(c.rng.Uint64()))
	var frame []byte
	if sh.hb.app {
		fm := sh.fl.formats
		op := ws.OpText
		if fm.ping == nil {
			sh.payload = protocol.AppendPing(sh.payload[:0], int64(now))
		} else {
			v := template.Vars{Client: c.id, Shard: sh.cfg.Shard.Index, NowUnixNano: sh.fl.wallBase + int64(now)}
			sh.payload = fm.ping.Append(sh.payload[:0], v)
			if fm.pingBinary {
				op = ws.OpBinary
			}
		}
		frame = sh.fw.Frame(op, sh.payload, &mask)
	} else {
		var ts [8]byte
		binary.BigEndian.PutUint64(ts[:], uint64(now))
		frame = sh.fw.Frame(ws.OpPing, ts[:], &mask)
	}
	if !c.send(frame, TrafficPing, now) {
		return
	}
	c.pinged(now, scheduled)
}

// pinged notes a ping sent now and schedules the next on the same
// cadence.
func (c *client) pinged(now, scheduled time.Duration) {
	if c.pingAt == 0 {
		c.pingAt = now
	}
	c.nextPing(now, scheduled)
}

// nextPing schedules the next ping one interval after the one scheduled
// now (at once after a late one).
func (c *client) nextPing(now, scheduled time.Duration) {
	sh := c.sh
	next := scheduled + sh.cfg.Heartbeat.Interval
	if next <= now {
		next = now + sh.cfg.Heartbeat.Interval
	}
	c.timer.Kind = timerPing
	sh.loop.Schedule(&c.timer, next)
}

// checkDeadline applies the detection rule: the connection is dead when
// nothing has been received for the heartbeat timeout (server mode: no
// ping from the server). The timer is not moved on every frame; it fires
// at the old deadline and is pushed to the new one. Until the client is
// ready its join deadline applies too: a server that opens the
// connection but never completes the join ends it with join_timeout.
func (c *client) checkDeadline(now time.Duration) {
	if c.state != StateOpen {
		return
	}
	next := time.Duration(-1)
	if join := c.joinDeadline(); join >= 0 {
		if now >= join {
			c.closeFrame(1000, now) // normal closure: the client leaves (RFC 6455 §7.4.1)
			c.dead(now, measure.CauseJoinTimeout)
			return
		}
		next = join
	}
	if c.hb.Kind == timerHeartbeatDeadline {
		deadline := c.lastRecv + c.sh.hbTimeout
		if now >= deadline {
			c.dead(now, measure.CauseHeartbeatTimeout)
			return
		}
		if next < 0 || deadline < next {
			next = deadline
		}
	}
	if next >= 0 {
		c.sh.loop.Schedule(&c.hb, next)
	}
}

// send writes one frame; a partitioned client's frames are lost on the way.
func (c *client) send(frame []byte, kind Traffic, now time.Duration) bool {
	sh := c.sh
	sh.sent(now, kind, len(frame))
	if c.cut {
		return true
	}
	if c.tls != nil {
		var ok bool
		if frame, ok = c.seal(frame); !ok {
			c.dead(now, measure.CauseWriteError)
			return false
		}
	}
	if len(c.out) > 0 {
		return c.queue(frame, now)
	}
	n, err := evloop.Write(int(c.fd), frame)
	if n == len(frame) {
		return true
	}
	if err != nil && err != unix.EAGAIN {
		c.dead(now, classifyWrite(err))
		return false
	}
	_ = sh.loop.Modify(int(c.fd), unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLOUT)
	return c.queue(frame[n:], now)
}

// queue keeps bytes the socket did not take, behind those it kept
// before, up to maxOut: past it the server has stopped reading.
func (c *client) queue(b []byte, now time.Duration) bool {
	if len(c.out)+len(b) > maxOut {
		c.dead(now, measure.CauseSendOverflow)
		return false
	}
	c.out = append(c.out, b...)
	return true
}

// flushThenReadable writes what waits in the out-buffer when the socket
// became writable, and reports whether the connection is still there and
// the event also asks for a read.
func (c *client) flushThenReadable(events uint32, now time.Duration) bool {
	if events&unix.EPOLLOUT != 0 && len(c.out) > 0 && !c.flushOut(now) {
		return false
	}
	return events&(unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0
}

// flushOut writes what the out-buffer holds; it reports false when the
// connection (or the attempt) failed.
func (c *client) flushOut(now time.Duration) bool {
	sh := c.sh
	n, err := evloop.Write(int(c.fd), c.out)
	c.out = c.out[:copy(c.out, c.out[n:])]
	if err != nil && err != unix.EAGAIN {
		if c.state == StateConnecting {
			c.dialFailed(now, measure.FailReset, int(c.fd))
		} else {
			c.dead(now, classifyWrite(err))
		}
		return false
	}
	if len(c.out) == 0 {
		c.out = nil
		_ = sh.loop.Modify(int(c.fd), unix.EPOLLIN|unix.EPOLLRDHUP)
	}
	if c.snd != nil && c.state == StateOpen && len(c.out) < maxFlushBuffered && !sh.fl.sendPaced(c.snd) {
		c.flushSend(now)
	}
	return true
}

// OnEvent reads what arrived on the socket.
func (c *client) OnEvent(events uint32) {
	sh := c.sh
	now := sh.loop.Now()
	if c.dial != nil {
		c.dialEvent(events, now)
		return
	}
	if !c.flushThenReadable(events, now) {
		return
	}
	if c.tls != nil && c.cut && !c.closing {
		// Partitioned over wss: nothing arrives until the partition ends
		// (endPartition watches the socket again), as TCP would hold it
		// back; bytes dropped instead would break every later record.
		sh.loop.Remove(int(c.fd))
		c.unwatched = true
		return
	}
	if c.tls != nil && !c.closing {
		c.readTLS(now)
		return
	}
	n, err := evloop.Read(int(c.fd), sh.loop.Buf)
	if c.closing {
		// After our close frame only the server's FIN matters (its close
		// frame, if any, is read and dropped).
		if n <= 0 && err != unix.EAGAIN {
			sh.closed(c)
		}
		return
	}
	if c.cut {
		// Partitioned: what arrives is lost in the network. A FIN or RST
		// would be lost too, so stop watching and let the heartbeat decide.
		if n <= 0 && err != unix.EAGAIN {
			sh.loop.Remove(int(c.fd))
			c.unwatched = true
		}
		return
	}
	if cause, dead := classifyRead(n, err); dead {
		c.dead(now, cause)
		return
	}
	if n > 0 {
		if sh.hb.pings != pingerServer {
			// Any byte is a sign of life, even in the middle of a large
			// message whose end is still on its way.
			c.lastRecv = now
		}
		c.consume(sh.loop.Buf[:n], now)
	}
}

// dead declares the open connection dead, records why, closes the socket
// and starts backing off.
func (c *client) dead(now time.Duration, cause measure.Cause) {
	sh := c.sh
	if c.state != StateOpen {
		return
	}
	sh.disconnected(now, cause)
	switch cause {
	case measure.CauseEOF, measure.CauseReset, measure.CauseHeartbeatTimeout, measure.CauseWriteError:
		sh.countKey(now, measure.CloseCodes, 1006) // ended without a close frame (§7.1.5)
	}
	if sh.storm.active && c.openedAt < sh.storm.windowStart && cause != measure.CauseDrain {
		c.storm = int16(sh.storm.k)
		sh.stormDetected(c, now, cause)
	}
	c.closeSocket(cause == measure.CauseClientAbort)
	c.lostOpened, c.lostCause = c.openedAt, cause
	c.afterLoss(now, now-c.openedAt)
}

// afterLoss starts the reconnect cycle after a connection was lost.
func (c *client) afterLoss(now, openFor time.Duration) {
	sh := c.sh
	c.sendLost(now)
	c.lostAt = now
	c.attempts = 0
	sh.loop.Cancel(&c.timer)
	sh.loop.Cancel(&c.hb)
	sh.fl.policy.Disconnected(&c.bo, openFor)
	c.backoff(now, 0, EvDead, -1)
}

// closeSocket unregisters and closes the socket: with an RST when abort,
// else with a FIN. A partitioned client's socket is parked until the
// partition ends, because its FIN would be lost in the network too.
func (c *client) closeSocket(abort bool) {
	sh := c.sh
	fd := int(c.fd)
	if fd < 0 {
		return
	}
	c.fd = -1
	c.out = nil
	c.dec.Reset()
	if c.ready {
		c.ready = false
		sh.ready--
	}
	// A wss connection ends with its socket, without close_notify, as a
	// browser's does.
	c.tls = nil
	if c.cut {
		// Kept open, so it must leave epoll explicitly.
		sh.loop.Remove(fd)
		sh.limbo = append(sh.limbo, fd)
		return
	}
	_ = sh.loop.CloseFD(fd, abort)
}
