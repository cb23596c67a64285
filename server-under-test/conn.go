package sut

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/evloop"
	"github.com/stormbench/stormbench/internal/looptls"
	"github.com/stormbench/stormbench/internal/protocol"
	"github.com/stormbench/stormbench/internal/wsframe"
	"golang.org/x/sys/unix"
)

// maxPending bounds what the server buffers for a client that does not
// read; past it the client is dropped as a slow consumer.
const maxPending = 1 << 20

// Timer kinds of a conn.
const (
	timerIdle uint8 = iota
	timerPing
)

// disconnect causes as the server counts them.
type discCause uint8

const (
	discClientClose discCause = iota
	discEOF
	discReset
	discIdle
	discFault
	discWriteError
	discProtocol
	discShutdown
	discSlow
	discTakeover // a newer connection of the client took its session over
)

// conn is one client connection owned by a shard's loop. It is small on
// purpose: no goroutine and no buffer while idle.
type conn struct {
	sh         *shard
	fd         int
	idx        int // position in sh.conns
	client     uint64
	opened     time.Duration
	lastRecv   time.Duration
	idle, ping evloop.Timer
	dec        wsframe.Decoder
	out        []byte // bytes the socket did not take yet
	blackholed bool
	closing    bool // close frame and FIN sent, waiting for the client's FIN
	closed     bool
	// tls is the TLS layer of a wss connection (tls.go); nil for ws.
	tls *looptls.Conn
	// sess is the session of the connection's ?client=ID (session.go);
	// nil without one.
	sess *session
}

// closeWait bounds how long a connection that the server closed waits for
// the client's FIN before it is aborted.
const closeWait = 5 * time.Second

// shard is the per-loop state: its connections, scratch buffers, and the
// broadcast timer.
type shard struct {
	srv     *Server
	loop    *evloop.Loop
	conns   []*conn
	fw      wsframe.Writer
	payload []byte
	bcast   evloop.Timer
	lastSeq int64
	rng     *rand.Rand
	holes   []*conn // blackholed connections
	holeEnd evloop.Timer
	// sealed is scratch for the records of what a wss connection sends,
	// rx the raw input it borrows for one read (tls.go); nil for ws.
	sealed, rx []byte
	// sessions are the sessions of the client IDs routed to this loop.
	sessions map[uint64]*session
}

func newShard(s *Server, l *evloop.Loop, i uint64) *shard {
	sh := &shard{srv: s, loop: l, rng: rand.New(rand.NewPCG(s.cfg.Seed, i)), payload: make([]byte, 0, 64), sessions: map[uint64]*session{}}
	sh.bcast.Init(sh, 0)
	sh.holeEnd.Init(holeTimer{sh}, 0)
	if s.tls != nil {
		sh.rx = make([]byte, max(len(l.Buf), looptls.MinScratch))
	}
	return sh
}

func (sh *shard) register(fd int, q protocol.Query, tc *looptls.Conn) {
	now := sh.loop.Now()
	c := &conn{sh: sh, fd: fd, client: q.Client, opened: now, lastRecv: now, idx: len(sh.conns), tls: tc}
	st := &sh.srv.stats.c
	if err := sh.loop.Add(fd, unix.EPOLLIN|unix.EPOLLRDHUP, c); err != nil {
		unix.Close(fd)
		st.slots.Add(-1)
		st.disconnects.Add(1)
		st.discWriteError.Add(1)
		return
	}
	// Open counts connections in the loops: what a fault can hit.
	st.open.Add(1)
	sh.conns = append(sh.conns, c)
	c.idle.Init(c, timerIdle)
	c.ping.Init(c, timerPing)
	cfg := &sh.srv.cfg
	if cfg.IdleTimeout > 0 {
		sh.loop.Schedule(&c.idle, now+cfg.IdleTimeout)
	}
	if cfg.PingInterval > 0 {
		// Spread the first ping over one interval so that a fleet that
		// connected together is not pinged together.
		sh.loop.Schedule(&c.ping, now+time.Duration(sh.rng.Int64N(int64(cfg.PingInterval))))
	}
	if cfg.BroadcastInterval > 0 {
		if q.HasResume {
			from := max(q.Resume+1, sh.lastSeq-int64(cfg.Replay)+1)
			for seq := from; seq <= sh.lastSeq && !c.closed; seq++ {
				sh.sendMsg(c, seq)
				sh.srv.stats.c.replayed.Add(1)
			}
		} else {
			sh.payload = protocol.AppendHello(sh.payload[:0], sh.lastSeq)
			c.write(sh.fw.Frame(ws.OpText, sh.payload, nil))
		}
	}
	if q.HasClient && !c.closed {
		sh.attach(c, q)
	}
	if tc != nil && !c.closed && tc.Pending() {
		// What the client sent behind its upgrade request.
		c.drainTLS()
	}
}

func (sh *shard) sendMsg(c *conn, seq int64) {
	sh.payload = protocol.AppendMsg(sh.payload[:0], seq)
	if c.write(sh.fw.Frame(ws.OpText, sh.payload, nil)) {
		sh.srv.stats.c.messagesSent.Add(1)
	}
}

// OnEvent reads what arrived and answers it.
func (c *conn) OnEvent(events uint32) {
	if events&unix.EPOLLOUT != 0 && len(c.out) > 0 {
		c.flush()
		if c.closed {
			return
		}
	}
	if events&(unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) == 0 {
		return
	}
	if c.tls != nil && !c.closing {
		c.readTLS()
		return
	}
	buf := c.sh.loop.Buf
	n, err := evloop.Read(c.fd, buf)
	if c.closing {
		// Only the client's FIN matters now; its close frame is dropped.
		if n == 0 && err == nil || err != nil && !errors.Is(err, unix.EAGAIN) {
			c.close(discFault, false)
		}
		return
	}
	switch {
	case n > 0:
		c.lastRecv = c.sh.loop.Now()
		c.sh.srv.stats.c.bytesReceived.Add(int64(n))
		c.consume(buf[:n], c.lastRecv)
	case err == nil: // read 0: FIN from the client
		c.close(discEOF, false)
	case errors.Is(err, unix.EAGAIN):
	case errors.Is(err, unix.ECONNRESET):
		c.close(discReset, false)
	default:
		c.close(discReset, false)
	}
}

// clientFrames are the rules of a client's frames (RFC 6455 §5.1: masked).
var clientFrames = wsframe.Config{Role: wsframe.Server}

// consume hands what a read returned to the connection's frame decoder. A
// client that breaks a rule of RFC 6455 gets the close code the RFC
// prescribes (queued behind any pending output, never interleaved) and
// the connection is closed (§7.1.7).
func (c *conn) consume(data []byte, now time.Duration) {
	err := c.dec.Feed(&clientFrames, data, c, now)
	if err == nil || c.closed {
		return
	}
	var rule wsframe.Rule
	if !errors.As(err, &rule) {
		rule = wsframe.RuleBadLength
	}
	c.sh.srv.stats.recordProtocolError(rule)
	c.write(c.sh.fw.Close(rule.CloseCode(), "", nil))
	c.close(discProtocol, false)
}

// Message implements wsframe.Handler: a whole text or binary message.
func (c *conn) Message(_ time.Duration, op ws.OpCode, p []byte, _ int) bool {
	if op == ws.OpText {
		m, err := protocol.Parse(p)
		switch {
		case err != nil:
		case m.Kind == protocol.KindPing:
			sh := c.sh
			sh.srv.stats.c.appPings.Add(1)
			sh.payload = protocol.AppendPong(sh.payload[:0], m.T)
			c.write(sh.fw.Frame(ws.OpText, sh.payload, nil))
		case m.Kind == protocol.KindSend:
			c.onSend(&m)
		}
	}
	return !c.closed
}

// Skipped implements wsframe.Handler: a message too long to keep, dropped.
func (c *conn) Skipped(time.Duration, ws.OpCode, int64, int) bool { return !c.closed }

// Control implements wsframe.Handler: a ping, pong or close frame.
func (c *conn) Control(_ time.Duration, op ws.OpCode, p []byte, _ int) bool {
	sh := c.sh
	st := &sh.srv.stats.c
	switch op {
	case ws.OpPing:
		// RFC 6455 §5.5.2: answer with a Pong carrying the same payload.
		st.clientPings.Add(1)
		c.write(sh.fw.Frame(ws.OpPong, p, nil))
	case ws.OpPong:
		st.pongsReceived.Add(1)
	case ws.OpClose:
		// RFC 6455 §5.5.1: echo the status code, then close.
		var code uint16
		if len(p) >= 2 {
			code = binary.BigEndian.Uint16(p)
		}
		c.write(sh.fw.Close(code, "", nil))
		c.close(discClientClose, false)
	}
	return !c.closed
}

// write sends one whole frame; what the socket does not take is kept and
// sent when it becomes writable. It reports whether the connection is
// still open.
func (c *conn) write(b []byte) bool {
	if c.closed {
		return false
	}
	if c.tls == nil {
		return c.writeWire(b, true)
	}
	// wss: the frame's bytes are counted, as for ws, not its records'.
	c.sh.srv.stats.c.bytesSent.Add(int64(len(b)))
	b, ok := c.seal(b)
	if !ok {
		c.close(discWriteError, false)
		return false
	}
	return c.writeWire(b, false)
}

// writeWire writes b as write does, counting it when count.
func (c *conn) writeWire(b []byte, count bool) bool {
	if len(c.out) > 0 {
		if len(c.out)+len(b) > maxPending {
			c.close(discSlow, true)
			return false
		}
		c.out = append(c.out, b...)
		return true
	}
	n, err := evloop.Write(c.fd, b)
	if n > 0 && count {
		c.sh.srv.stats.c.bytesSent.Add(int64(n))
	}
	if n == len(b) {
		return true
	}
	if err != nil && !errors.Is(err, unix.EAGAIN) {
		if errors.Is(err, unix.ECONNRESET) {
			c.close(discReset, false)
		} else {
			c.close(discWriteError, false)
		}
		return false
	}
	c.out = append(c.out, b[n:]...)
	_ = c.sh.loop.Modify(c.fd, unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLOUT)
	return true
}

func (c *conn) flush() {
	n, err := evloop.Write(c.fd, c.out)
	if n > 0 {
		if c.tls == nil {
			c.sh.srv.stats.c.bytesSent.Add(int64(n))
		}
		c.out = c.out[:copy(c.out, c.out[n:])]
	}
	if err != nil && !errors.Is(err, unix.EAGAIN) {
		c.close(discWriteError, false)
		return
	}
	if len(c.out) == 0 {
		c.out = nil
		_ = c.sh.loop.Modify(c.fd, unix.EPOLLIN|unix.EPOLLRDHUP)
		if c.closing {
			_ = unix.Shutdown(c.fd, unix.SHUT_WR)
		}
	}
}

// OnTimer handles the idle-timeout check and the server's pings.
func (c *conn) OnTimer(t *evloop.Timer, now, _ time.Duration) {
	sh := c.sh
	cfg := &sh.srv.cfg
	switch t.Kind {
	case timerIdle:
		if c.closing {
			c.close(discFault, true)
			return
		}
		if silent := now - c.lastRecv; silent >= cfg.IdleTimeout {
			sh.srv.stats.recordDetection(silent)
			c.close(discIdle, false)
			return
		}
		sh.loop.Schedule(&c.idle, c.lastRecv+cfg.IdleTimeout)
	case timerPing:
		var ts [8]byte
		binary.BigEndian.PutUint64(ts[:], uint64(now))
		if c.write(sh.fw.Frame(ws.OpPing, ts[:], nil)) {
			sh.srv.stats.c.pingsSent.Add(1)
			sh.loop.Schedule(&c.ping, now+cfg.PingInterval)
		}
	}
}

// goAway starts the server's closing handshake (RFC 6455 §7.1.2): a close
// frame with code, then a FIN (shutdown SHUT_WR). The socket itself is
// closed when the client's FIN arrives, or after closeWait: closing it at
// once, with a ping of the client still unread, would make the kernel send
// an RST instead of the FIN.
func (c *conn) goAway(code ws.StatusCode, cause discCause) {
	if c.closed || c.closing {
		return
	}
	if c.blackholed {
		c.close(cause, false)
		return
	}
	if !c.write(c.sh.fw.Close(uint16(code), "", nil)) {
		return
	}
	if !c.closeNotify() {
		return
	}
	if len(c.out) == 0 {
		_ = unix.Shutdown(c.fd, unix.SHUT_WR)
	} // else flush sends the FIN once the close frame is out
	c.retire(cause)
	c.closing = true
	c.sh.loop.Cancel(&c.ping)
	c.sh.loop.Schedule(&c.idle, c.sh.loop.Now()+closeWait)
}

// closeNotify sends a wss connection's close_notify (RFC 8446 §6.1)
// behind what it wrote; it reports whether the connection is still open.
func (c *conn) closeNotify() bool {
	if c.tls == nil || c.closed {
		return !c.closed
	}
	sh := c.sh
	sh.sealed = c.tls.CloseNotify(sh.sealed[:0])
	return c.writeWire(sh.sealed, false)
}

// close ends the connection: abort sends an RST (SO_LINGER 0), otherwise
// a FIN. The loop registration is removed before the descriptor is closed.
func (c *conn) close(cause discCause, abort bool) {
	if c.closed {
		return
	}
	if !c.closing {
		if c.tls != nil && !abort && len(c.out) == 0 {
			// Best effort: a clean close says so over TLS too.
			sh := c.sh
			sh.sealed = c.tls.CloseNotify(sh.sealed[:0])
			_, _ = evloop.Write(c.fd, sh.sealed)
		}
		c.retire(cause)
	}
	c.closed = true
	c.tls = nil
	sh := c.sh
	sh.loop.Cancel(&c.idle)
	sh.loop.Cancel(&c.ping)
	// The loop's descriptor is the socket's only one (Detach closed Go's),
	// so closing it also ends its epoll registration.
	_ = sh.loop.CloseFD(c.fd, abort)
	c.fd = -1
	c.out = nil
	c.dec.Reset()
}

// retire takes the connection out of the open set: no more broadcasts or
// faults, and it no longer counts as open.
func (c *conn) retire(cause discCause) {
	sh := c.sh
	last := sh.conns[len(sh.conns)-1]
	sh.conns[c.idx] = last
	last.idx = c.idx
	sh.conns[len(sh.conns)-1] = nil
	sh.conns = sh.conns[:len(sh.conns)-1]
	st := &sh.srv.stats.c
	st.open.Add(-1)
	st.slots.Add(-1)
	st.disconnects.Add(1)
	st.disc(cause).Add(1)
	c.detach()
}

// closeAll closes every connection with 1001 going away (shutdown).
func (sh *shard) closeAll() {
	for len(sh.conns) > 0 {
		c := sh.conns[len(sh.conns)-1]
		c.write(sh.fw.Close(wsframe.CloseGoingAway, "", nil))
		c.close(discShutdown, false)
	}
}
