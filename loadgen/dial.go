package loadgen

import (
	"errors"
	"time"

	"github.com/stormbench/stormbench/internal/measure"

	"github.com/stormbench/stormbench/internal/evloop"
	"github.com/stormbench/stormbench/internal/handshake"
	"golang.org/x/sys/unix"
)

// A connection attempt runs entirely on the client's event loop, with no
// goroutine and no slot to wait for: socket and connect() are
// non-blocking, the loop watches the socket until the TCP handshake ends,
// writes the HTTP upgrade request and parses the response from whatever
// each read returns. An attempt therefore starts when its timer fires —
// its lateness is the harness's own CPU — and a slow or silent server
// shows up where it belongs: in connect latency, timeouts and failures.
//
// TLS (wss://) is carried by a sidecar (tls.go): the attempt's socket is
// the loop's end of a socketpair, the TCP and TLS stages run beside the
// loop, and the attempt starts at the upgrade stage; plain ws pays nothing
// for it.

// dialStage is where an attempt is.
type dialStage uint8

const (
	stageTCP     dialStage = iota + 1 // connect() in progress
	stageUpgrade                      // request written (or being written), response awaited
)

// dialState is what an attempt needs while it is in flight. It comes from
// the shard's free list and goes back when the attempt ends, so that an
// open or waiting client holds none.
type dialState struct {
	stage  dialStage
	tcpAt  time.Duration // TCP connection established
	accept handshake.Accept
	head   []byte // response bytes so far, when the head arrives in pieces
}

// getDial takes a dialState from the free list.
func (sh *shard) getDial() *dialState {
	if n := len(sh.dialFree); n > 0 {
		d := sh.dialFree[n-1]
		sh.dialFree = sh.dialFree[:n-1]
		return d
	}
	return &dialState{}
}

// putDial returns d to the free list; a large head buffer is dropped.
func (sh *shard) putDial(d *dialState) {
	head := d.head[:0]
	if cap(head) > 1024 {
		head = nil
	}
	*d = dialState{head: head}
	sh.dialFree = append(sh.dialFree, d)
}

// connect starts an attempt: a non-blocking socket, connect(), and the
// socket registered with the loop. start is when the attempt began (a
// partitioned attempt began earlier, when its first SYN was lost).
func (c *client) connect(now, start time.Duration) {
	sh := c.sh
	t := sh.target
	if t.tls != nil {
		c.connectTLS(now, start)
		return
	}
	fd, err := unix.Socket(t.family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		c.dialFailed(now, classifyErrno(err), -1)
		return
	}
	setSocketBuffers(fd)
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	if n := len(t.srcs); n > 0 {
		// IP_BIND_ADDRESS_NO_PORT: bind the address only; the port is
		// picked at connect() for this destination. Without it each source
		// address would be capped at one port range in total instead of
		// one per destination.
		_ = unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_BIND_ADDRESS_NO_PORT, 1)
		if err := unix.Bind(fd, t.srcs[c.id%uint64(n)]); err != nil {
			c.dialFailed(now, classifyErrno(err), fd)
			return
		}
	}
	err = unix.Connect(fd, t.server)
	if err != nil && err != unix.EINPROGRESS && err != unix.EINTR {
		c.dialFailed(now, classifyErrno(err), fd)
		return
	}
	if err := sh.loop.Add(fd, unix.EPOLLOUT|unix.EPOLLIN|unix.EPOLLRDHUP, c); err != nil {
		c.dialFailed(now, measure.FailOther, fd)
		return
	}
	c.fd = int32(fd)
	d := sh.getDial()
	d.stage = stageTCP
	c.dial = d
	c.hb.Kind = timerConnectDeadline
	sh.loop.Schedule(&c.hb, start+sh.cfg.ConnectTimeout)
}

// dialEvent handles readiness of a socket whose attempt is in flight.
func (c *client) dialEvent(events uint32, now time.Duration) {
	d := c.dial
	if d.stage == stageTCP {
		if events&(unix.EPOLLOUT|unix.EPOLLERR|unix.EPOLLHUP) == 0 {
			return
		}
		// The outcome of a non-blocking connect() is in SO_ERROR.
		errno, err := unix.GetsockoptInt(int(c.fd), unix.SOL_SOCKET, unix.SO_ERROR)
		if err == nil && errno != 0 {
			err = unix.Errno(errno)
		}
		if err != nil {
			c.dialFailed(now, classifyErrno(err), int(c.fd))
			return
		}
		d.tcpAt = now
		d.stage = stageUpgrade
		c.sendRequest(now)
		return
	}
	if !c.flushThenReadable(events, now) {
		return
	}
	n, err := evloop.Read(int(c.fd), c.sh.loop.Buf)
	if n > 0 {
		c.upgradeResponse(c.sh.loop.Buf[:n], now)
		return
	}
	if errors.Is(err, unix.EAGAIN) {
		return
	}
	// The server closed or reset the connection before a whole response.
	c.dialFailed(now, measure.FailReset, int(c.fd))
}

// sendRequest writes the upgrade request (RFC 6455 §4.1); a short write
// leaves the rest in the out-buffer for EPOLLOUT.
func (c *client) sendRequest(now time.Duration) {
	sh := c.sh
	c.dials++
	hi := splitmix(sh.cfg.Seed ^ c.id*0x9e3779b97f4a7c15)
	k := handshake.KeyFromBits(hi, splitmix(hi^uint64(c.dials)))
	c.dial.accept = k.Accept()
	req := sh.fl.req.append(sh.req[:0], c.id, c.lastSeq, *sh.cfg.Resume && c.haveSeq, c.lastDirect, &k)
	sh.req = req
	n, err := evloop.Write(int(c.fd), req)
	switch {
	case n == len(req):
		_ = sh.loop.Modify(int(c.fd), unix.EPOLLIN|unix.EPOLLRDHUP)
	case err == nil || err == unix.EAGAIN:
		c.out = append(c.out[:0], req[n:]...)
		_ = sh.loop.Modify(int(c.fd), unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLOUT)
	default:
		c.dialFailed(now, measure.FailReset, int(c.fd))
	}
}

// upgradeResponse parses the response head from what arrived (after what
// arrived before); frames behind a 101 are the connection's first.
func (c *client) upgradeResponse(data []byte, now time.Duration) {
	d := c.dial
	buf := data
	if len(d.head) > 0 {
		d.head = append(d.head, data...)
		buf = d.head
	}
	exp := handshake.Expect{Accept: d.accept, Protocols: c.sh.fl.req.hs.Protocols()}
	r, n, err := handshake.Parse(buf, &exp)
	switch {
	case err == nil && n == 0:
		if len(d.head) == 0 {
			d.head = append(d.head, data...)
		}
	case err == nil:
		c.upgraded(now, buf[n:])
	default:
		cause := measure.FailHandshake
		retryAfter := time.Duration(-1)
		var f handshake.Failure
		if errors.As(err, &f) && f == handshake.ErrStatus {
			cause = statusCause(r.Status)
			if r.HasRetryAfter && (r.Status == 429 || r.Status == 503) {
				// RFC 9110 §10.2.3: how long the client ought to wait.
				retryAfter = max(r.RetryAfter, 0)
			}
		}
		c.endDial(int(c.fd))
		c.refused(now, cause, c.attemptAt, retryAfter)
	}
}

// upgraded completes a successful attempt: the connection is open.
func (c *client) upgraded(now time.Duration, leftover []byte) {
	sh := c.sh
	d := c.dial
	c.dial = nil
	sh.loop.Cancel(&c.hb)
	start := c.attemptAt
	timing := ConnectTiming{Total: now - start, TCP: d.tcpAt - start, Upgrade: now - d.tcpAt}
	if c.relay != nil {
		timing = c.tlsTiming(start, now)
	}
	sh.connected(start, timing)
	c.opened(now)
	if len(leftover) > 0 && c.state == StateOpen {
		c.consume(leftover, now)
	}
	sh.putDial(d)
}

// dialFailed ends an attempt that failed; fd, when ≥ 0, is closed (with
// an RST: a half-done handshake needs no goodbye).
func (c *client) dialFailed(now time.Duration, cause measure.FailCause, fd int) {
	cause = c.tlsDialCause(cause)
	c.endDial(fd)
	c.failed(now, cause, c.attemptAt)
}

// endDial releases what an attempt held: its socket, its timer and its state.
func (c *client) endDial(fd int) {
	sh := c.sh
	c.releaseRelay(true)
	if fd >= 0 {
		_ = sh.loop.CloseFD(fd, true)
	}
	c.fd = -1
	c.out = nil
	sh.loop.Cancel(&c.hb)
	if c.dial != nil {
		sh.putDial(c.dial)
		c.dial = nil
	}
}

// connectTimeout fails an attempt that did not complete in time.
func (c *client) connectTimeout(now time.Duration) {
	if c.state != StateConnecting || c.dial == nil {
		return
	}
	c.dialFailed(now, measure.FailTimeout, int(c.fd))
}

// classifyErrno maps an errno of socket(), bind() or connect() to a
// failure cause.
func classifyErrno(err error) measure.FailCause {
	switch {
	case errors.Is(err, unix.ECONNREFUSED):
		return measure.FailRefused
	case errors.Is(err, unix.ETIMEDOUT):
		return measure.FailTimeout
	case errors.Is(err, unix.ECONNRESET), errors.Is(err, unix.EPIPE):
		return measure.FailReset
	case errors.Is(err, unix.EADDRNOTAVAIL), errors.Is(err, unix.EADDRINUSE):
		return measure.FailAddress
	case errors.Is(err, unix.EMFILE), errors.Is(err, unix.ENFILE), errors.Is(err, unix.ENOBUFS), errors.Is(err, unix.ENOMEM):
		return measure.FailLocal
	case errors.Is(err, unix.ENETUNREACH), errors.Is(err, unix.EHOSTUNREACH):
		return measure.FailUnreachable
	}
	return measure.FailOther
}
