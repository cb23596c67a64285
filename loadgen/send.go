package loadgen

import (
	"encoding/binary"
	"math"
	"time"
	"unsafe"

	"github.com/stormbench/stormbench/internal/measure"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/evloop"
	"github.com/stormbench/stormbench/internal/fielderr"
	"github.com/stormbench/stormbench/internal/protocol"
)

// DefaultSendQueue is Send.Queue's default (--send-queue's).
const DefaultSendQueue = 1000

// Send configures the messages every client sends the server
// (docs/messages.md). The zero value sends none.
type Send struct {
	// Rate is messages per second per client; zero sends none.
	Rate float64 `json:"rate,omitempty"`
	// Fixed spaces a client's messages evenly (1/Rate); otherwise they
	// form a Poisson process of that rate.
	Fixed bool `json:"fixed,omitempty"`
	// Size pads each message to this many bytes; zero: no padding.
	Size int `json:"size,omitempty"`
	// Queue bounds the messages a client keeps waiting to be sent (while
	// it is disconnected, or behind a flush); zero means 1000.
	Queue int `json:"queue,omitempty"`
	// DropNewest drops the message being produced when the queue is full;
	// otherwise the oldest waiting one is dropped.
	DropNewest bool `json:"drop_newest,omitempty"`
	// FlushRate paces a reconnected client's backlog at this many messages
	// per second; zero sends it as fast as the socket takes it.
	FlushRate float64 `json:"flush_rate,omitempty"`
	// Redeliver sends again, after a reconnect, the messages a dead
	// connection carried but that were never acknowledged (at-least-once);
	// otherwise they are lost (at-most-once).
	Redeliver bool `json:"redeliver,omitempty"`
	// NoAck: the server does not acknowledge; only send-side figures.
	NoAck bool `json:"no_ack,omitempty"`
}

// maxFlushBuffered is how much a flush leaves queued in a client's
// out-buffer before it waits for the socket to drain: far below maxOut, so
// that a backlog never looks like a server that stopped reading.
const maxFlushBuffered = maxOut / 4

// QueueEntryBytes is what one queued message costs a client: its id and
// when it was produced and sent; the payload is built when it is sent.
const QueueEntryBytes = int(unsafe.Sizeof(pending{}))

// pending is one message a client produced and no ack has settled.
type pending struct {
	id   uint64
	enq  time.Duration // produced
	sent time.Duration // written on the current connection; -1: waiting
}

// sendState is a sending client's queue, allocated only when it sends.
// q[head:head+inflight] were sent on the current connection and await
// their acks, in order; q[head+inflight:] wait to be sent.
type sendState struct {
	timer    evloop.Timer // next message produced
	flush    evloop.Timer // next paced flush step (FlushRate)
	q        []pending
	head     int
	inflight int
	nextID   uint64
}

func (s *sendState) waiting() int { return len(s.q) - s.head - s.inflight }

// popFront removes the oldest entry.
func (s *sendState) popFront() pending {
	p := s.q[s.head]
	s.head++
	if s.head == len(s.q) {
		s.q, s.head = s.q[:0], 0
	} else if s.head > 64 && s.head > len(s.q)/2 {
		n := copy(s.q, s.q[s.head:])
		s.q, s.head = s.q[:n], 0
	}
	return p
}

// Timer kinds of sendState's timers (distinct from the client's own).
const (
	timerSend uint8 = iota + 16
	timerFlush
)

// startSending arms the client's first message; called once, at the first
// attempt, so that production follows the client's own schedule.
func (c *client) startSending(now time.Duration) {
	cfg := &c.sh.cfg.Send
	if cfg.Rate <= 0 || c.snd != nil {
		return
	}
	c.snd = &sendState{nextID: 1}
	c.snd.timer.Init(c, timerSend)
	c.snd.flush.Init(c, timerFlush)
	c.sh.loop.Schedule(&c.snd.timer, now+c.sendGap())
}

// sendGap draws the time to the next message.
func (c *client) sendGap() time.Duration {
	cfg := &c.sh.cfg.Send
	mean := float64(time.Second) / cfg.Rate
	if cfg.Fixed {
		return time.Duration(mean)
	}
	u := float64(c.rng.Uint64()>>11) / (1 << 53)
	return time.Duration(-math.Log(1-u) * mean)
}

// produce makes one message: sent at once on an open connection with
// nothing waiting, else queued (bounded: the oldest or the newest dropped).
func (c *client) produce(now, scheduled time.Duration) {
	sh := c.sh
	s := c.snd
	if sh.draining {
		return
	}
	s.q = append(s.q, pending{id: s.nextID, enq: scheduled, sent: -1})
	s.nextID++
	sh.queued++
	sh.count(now, measure.AppProduced, 1)
	if q := sh.cfg.Send.queue(); s.waiting() > q {
		sh.count(now, measure.AppDropped, 1)
		sh.queued--
		switch {
		case sh.cfg.Send.DropNewest:
			s.q = s.q[:len(s.q)-1]
		case s.inflight == 0:
			// The usual case (a queue fills while disconnected, when
			// nothing is in flight): the oldest waiting one is the head.
			s.popFront()
		default:
			i := s.head + s.inflight
			copy(s.q[i:], s.q[i+1:])
			s.q = s.q[:len(s.q)-1]
		}
	}
	if c.state == StateOpen && !sh.fl.sendPaced(s) {
		c.flushSend(now)
	}
	next := scheduled + c.sendGap()
	if next <= now {
		next = now + c.sendGap()
	}
	sh.loop.Schedule(&s.timer, next)
}

// queue is Queue with its default.
func (s *Send) queue() int {
	if s.Queue == 0 {
		return DefaultSendQueue
	}
	return s.Queue
}

// sendPaced reports whether a backlog is being flushed at FlushRate (its
// messages then leave on the flush timer only).
func (f *Fleet) sendPaced(s *sendState) bool {
	return f.cfg.Send.FlushRate > 0 && s.flush.Armed()
}

// flushSend writes waiting messages while the socket takes them and the
// out-buffer stays small; the rest follow when it drains (writable) or at
// the next message.
func (c *client) flushSend(now time.Duration) {
	s := c.snd
	for s.waiting() > 0 && c.state == StateOpen && len(c.out) < maxFlushBuffered {
		c.sendOne(now)
	}
}

// sendOne writes the oldest waiting message.
func (c *client) sendOne(now time.Duration) {
	sh := c.sh
	s := c.snd
	p := &s.q[s.head+s.inflight]
	p.sent = now
	sh.queued--
	sh.payload = protocol.AppendSend(sh.payload[:0], c.id, p.id, int64(p.enq), sh.cfg.Send.Size)
	var mask [4]byte
	binary.LittleEndian.PutUint32(mask[:], uint32(c.rng.Uint64()))
	frame := sh.fw.Frame(ws.OpText, sh.payload, &mask)
	// Produced before this connection opened: part of a flushed backlog.
	sh.appSent(now, p.enq < c.openedAt)
	if sh.cfg.Send.NoAck {
		// Nothing will settle it: sent is as far as it goes.
		s.popFront()
	} else {
		s.inflight++
	}
	c.send(frame, TrafficApp, now)
}

// pacedFlush sends one message of a backlog and arms the next step.
func (c *client) pacedFlush(now time.Duration) {
	s := c.snd
	if c.state != StateOpen || s.waiting() == 0 {
		return
	}
	c.sendOne(now)
	if s.waiting() > 0 {
		c.sh.loop.Schedule(&s.flush, now+time.Duration(float64(time.Second)/c.sh.cfg.Send.FlushRate))
	}
}

// sendOpened starts sending on a new connection: its backlog is flushed,
// at once or paced.
func (c *client) sendOpened(now time.Duration) {
	s := c.snd
	if s == nil || s.waiting() == 0 {
		return
	}
	if c.sh.cfg.Send.FlushRate > 0 {
		c.pacedFlush(now)
		return
	}
	c.flushSend(now)
}

// sendLost settles what a dead connection carried: unacknowledged
// messages wait to be sent again (Redeliver) or are lost.
func (c *client) sendLost(now time.Duration) {
	sh := c.sh
	s := c.snd
	if s == nil {
		return
	}
	sh.loop.Cancel(&s.flush)
	if s.inflight == 0 {
		return
	}
	if sh.cfg.Send.Redeliver {
		for i := s.head; i < s.head+s.inflight; i++ {
			s.q[i].sent = -1
		}
		sh.queued += s.inflight
		s.inflight = 0
		return
	}
	sh.count(now, measure.AppLost, int64(s.inflight))
	for ; s.inflight > 0; s.inflight-- {
		s.popFront()
	}
}

// acked settles message id: its delivery latency (produced → acked, the
// outage included) split into the time it waited and the time on the
// wire. An ack of a message no longer pending, or one the server flags as
// a duplicate, counts as a duplicate.
func (c *client) acked(id uint64, dup bool, now time.Duration) {
	sh := c.sh
	s := c.snd
	if s == nil || s.inflight == 0 || id < s.q[s.head].id {
		sh.appAcked(now, 0, 0, true)
		return
	}
	for s.inflight > 0 && s.q[s.head].id < id {
		// The server acknowledges in order: one it skipped was never
		// received on this connection.
		s.popFront()
		s.inflight--
		sh.count(now, measure.AppLost, 1)
	}
	if s.inflight == 0 || s.q[s.head].id != id {
		sh.appAcked(now, 0, 0, true)
		return
	}
	p := s.popFront()
	s.inflight--
	sh.appAcked(now, now-p.enq, p.sent-p.enq, dup)
	if s.waiting() > 0 && c.state == StateOpen && !sh.fl.sendPaced(s) {
		c.flushSend(now)
	}
}

// validate reports the settings out of range, keyed by their Config path.
func (s Send) validate() []error {
	var errs []error
	bad := func(field, format string, a ...any) { errs = append(errs, fielderr.New("Send."+field, format, a...)) }
	if s.Rate < 0 || math.IsNaN(s.Rate) || math.IsInf(s.Rate, 0) || s.Rate > 1000 {
		bad("Rate", "must be in [0, 1000] messages per second per client (got %v)", s.Rate)
	}
	if s.Size < 0 || s.Size > 1<<20 {
		bad("Size", "must be in [0, 1 MiB] bytes (got %d)", s.Size)
	}
	if s.Queue < 0 || s.Queue > 1_000_000 {
		bad("Queue", "must be in [1, 1000000] messages (got %d)", s.Queue)
	}
	if s.FlushRate < 0 || math.IsNaN(s.FlushRate) || math.IsInf(s.FlushRate, 0) {
		bad("FlushRate", "must be ≥ 0 messages per second (got %v)", s.FlushRate)
	}
	if s.Rate == 0 && (s.Size != 0 || s.Queue != 0 || s.FlushRate != 0 || s.Redeliver || s.DropNewest || s.Fixed || s.NoAck) {
		bad("Rate", "must be set for the clients to send anything: the other send settings need {Send.Rate}")
	}
	if s.NoAck && s.Redeliver {
		bad("Redeliver", "needs acknowledgements: without them nothing is known to be unacknowledged (got with {Send.NoAck})")
	}
	return errs
}
