package sut

import (
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/evloop"
	"github.com/stormbench/stormbench/internal/protocol"
)

// maxDirectRate bounds --direct-rate: one timer per session fires at this
// rate, so 1000/s per session is already a thousand wheel events a second
// per client.
const maxDirectRate = 1000

// maxOfflineQueue bounds --offline-queue (8 bytes a message per session).
const maxOfflineQueue = 1 << 20

// maxCatchUp bounds the messages one late timer fire produces, so that a
// stalled loop does not spend its next turn producing.
const maxCatchUp = 1000

// directQueue is a session's own message stream and its offline queue:
// the latest OfflineQueue messages, delivered or not. Ids are consecutive,
// so only each message's production time is stored: 8 bytes a message.
// Messages above delivered wait for the client; those at or below it are
// kept so that a client resuming with ?direct=LAST gets again what was sent
// on a connection that died before it arrived.
type directQueue struct {
	ts        []int64 // ring of production times (Unix ns), grown up to the bound
	head      int     // ring index of the oldest kept message
	n         int     // messages kept
	first     uint64  // id of the oldest kept message
	next      uint64  // id of the next message produced (from 1)
	delivered uint64  // highest id sent on a connection
	due       time.Duration
	timer     evloop.Timer
}

// undelivered is how many kept messages were never sent.
func (q *directQueue) undelivered() int {
	last := q.first + uint64(q.n) // one past the newest kept
	from := max(q.delivered+1, q.first)
	if from >= last {
		return 0
	}
	return int(last - from)
}

// at returns the production time of kept message id.
func (q *directQueue) at(id uint64) int64 {
	return q.ts[(q.head+int(id-q.first))%len(q.ts)]
}

// push keeps a new message, evicting the oldest at the bound; it reports
// whether the evicted one had never been sent (a drop).
func (q *directQueue) push(t int64, bound int) (dropped bool) {
	if q.next == 0 {
		q.next, q.first = 1, 1
	}
	q.next++
	if q.n == bound {
		dropped = q.first > q.delivered
		q.head = (q.head + 1) % len(q.ts)
		q.first++
		q.n--
	}
	if q.n == len(q.ts) { // grow: double, up to the bound
		ts := make([]int64, min(bound, max(4, 2*len(q.ts))))
		for i := 0; i < q.n; i++ {
			ts[i] = q.ts[(q.head+i)%len(q.ts)]
		}
		q.ts, q.head = ts, 0
	}
	q.ts[(q.head+q.n)%len(q.ts)] = t
	q.n++
	return dropped
}

// startDirect arms the session's producer, its first message at a random
// point of one interval so that sessions created together do not produce
// together.
func (sh *shard) startDirect(s *session) {
	r := sh.srv.cfg.DirectRate
	if r <= 0 {
		return
	}
	iv := time.Duration(float64(time.Second) / r)
	s.direct.due = sh.loop.Now() + time.Duration(sh.rng.Int64N(int64(max(iv, 1))))
	sh.loop.Schedule(&s.direct.timer, s.direct.due)
}

// produceDirect produces the messages due, sends them at once to a
// connected client, and keeps them in the offline queue.
func (sh *shard) produceDirect(s *session, now time.Duration) {
	cfg := &sh.srv.cfg
	st := &sh.srv.stats.c
	iv := time.Duration(float64(time.Second) / cfg.DirectRate)
	q := &s.direct
	wall := sh.srv.start.UnixNano()
	for k := 0; q.due <= now && k < maxCatchUp; k++ {
		before := q.undelivered()
		if q.push(wall+int64(q.due), cfg.OfflineQueue) {
			st.directDropped.Add(1)
		}
		st.directProduced.Add(1)
		st.addQueued(int64(q.undelivered() - before))
		q.due += iv
	}
	if q.due <= now { // fell behind by more than maxCatchUp: skip ahead
		q.due = now + iv
	}
	if s.conn != nil {
		sh.sendDirect(s, q.delivered+1)
	}
	sh.loop.Schedule(&q.timer, q.due)
}

// resumeDirect delivers the queue to a client that has just connected:
// from the message after ?direct=LAST when it says (again what a dead
// connection swallowed, never what it has), else from the first message
// never sent.
func (sh *shard) resumeDirect(s *session, qu protocol.Query) {
	q := &s.direct
	if q.next == 0 {
		return
	}
	from := q.delivered + 1
	if qu.HasDirect {
		from = max(qu.Direct+1, q.first)
		if from > q.delivered+1 { // the client has more than we sent: skip it
			before := q.undelivered()
			q.delivered = min(from-1, q.next-1)
			sh.srv.stats.c.addQueued(int64(q.undelivered() - before))
		}
	}
	sh.sendDirect(s, from)
}

// sendDirect writes the kept messages from id on to the session's
// connection. A blackholed connection takes them as the server believes
// it does: they are marked sent and lost, and a client resuming with
// ?direct= gets them again.
func (sh *shard) sendDirect(s *session, from uint64) {
	q := &s.direct
	c := s.conn
	st := &sh.srv.stats.c
	from = max(from, q.first)
	last := q.first + uint64(q.n)
	for id := from; id < last && !c.closed; id++ {
		if !c.blackholed {
			sh.payload = protocol.AppendDirect(sh.payload[:0], id, q.at(id))
			if !c.write(sh.fw.Frame(ws.OpText, sh.payload, nil)) {
				return
			}
		}
		st.directSent.Add(1)
		if id <= q.delivered {
			st.directRedelivered.Add(1)
			continue
		}
		q.delivered = id
		st.addQueued(-1)
	}
}
