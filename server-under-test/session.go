package sut

import (
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/evloop"
	"github.com/stormbench/stormbench/internal/protocol"
)

// CloseSessionTakenOver is the close code the server sends a connection
// whose session a newer connection of the same client ID took over: a
// code of the private-use range 4000-4999 (RFC 6455 §7.4.2), 4409 after
// HTTP's 409 Conflict.
const CloseSessionTakenOver ws.StatusCode = 4409

// Timer kinds of a session.
const (
	timerExpire uint8 = iota
	timerDirect
)

// session is what the server keeps per client ID, across its connections:
// the ids of the messages it received (de-duplication) and its own direct
// messages (the offline queue). Connections with ?client=ID are routed to
// the loop ID mod loops, so a client's session is always on the same loop
// and touched only by that loop's goroutine: no lock.
type session struct {
	sh   *shard
	id   uint64
	conn *conn // the open connection, nil while the client is away
	seen dedup
	// expire frees the session SessionTTL after its last connection left.
	expire evloop.Timer
	direct directQueue
}

// session returns the session of client id, creating it.
func (sh *shard) session(id uint64) *session {
	if s := sh.sessions[id]; s != nil {
		return s
	}
	s := &session{sh: sh, id: id}
	s.expire.Init(s, timerExpire)
	s.direct.timer.Init(s, timerDirect)
	sh.sessions[id] = s
	st := &sh.srv.stats.c
	st.sessions.Add(1)
	st.sessionsCreated.Add(1)
	sh.startDirect(s)
	return s
}

// attach makes c the session's connection. An open connection of the same
// client still holding the session (a half-open one the client gave up
// on, or a duplicate) is closed with CloseSessionTakenOver and counted,
// with how long it had been silent: the time the server would otherwise
// have kept it.
func (sh *shard) attach(c *conn, q protocol.Query) {
	s := sh.session(q.Client)
	if old := s.conn; old != nil {
		sh.srv.stats.recordTakeover(sh.loop.Now() - old.lastRecv)
		old.goAway(CloseSessionTakenOver, discTakeover)
		s.conn = nil // goAway retired it already, unless its write failed first
	}
	sh.loop.Cancel(&s.expire)
	s.conn = c
	c.sess = s
	sh.resumeDirect(s, q)
}

// detach runs when c leaves the open set: its session waits SessionTTL
// for the client to come back.
func (c *conn) detach() {
	s := c.sess
	if s == nil || s.conn != c {
		return
	}
	s.conn = nil
	sh := c.sh
	sh.loop.Schedule(&s.expire, sh.loop.Now()+sh.srv.cfg.SessionTTL)
}

// keepAlive defers the expiry of a session used by connections without
// ?client= (their messages name the client): it lives while they send.
func (sh *shard) keepAlive(s *session) {
	if s.conn == nil {
		sh.loop.Schedule(&s.expire, sh.loop.Now()+sh.srv.cfg.SessionTTL)
	}
}

// OnTimer expires the session or produces its direct messages.
func (s *session) OnTimer(t *evloop.Timer, now, _ time.Duration) {
	switch t.Kind {
	case timerExpire:
		if s.conn == nil {
			s.free()
		}
	case timerDirect:
		s.sh.produceDirect(s, now)
	}
}

// free forgets the session; its queued messages count as dropped.
func (s *session) free() {
	sh := s.sh
	sh.loop.Cancel(&s.expire)
	sh.loop.Cancel(&s.direct.timer)
	st := &sh.srv.stats.c
	if n := s.direct.undelivered(); n > 0 {
		st.directQueued.Add(-int64(n))
		st.directDropped.Add(int64(n))
	}
	delete(sh.sessions, s.id)
	st.sessions.Add(-1)
	st.sessionsExpired.Add(1)
}
