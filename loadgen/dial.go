package loadgen

import (
	"errors"
	"net/netip"
	"time"

	"github.com/stormbench/stormbench/internal/measure"

	"github.com/stormbench/stormbench/internal/evloop"
	"github.com/stormbench/stormbench/internal/handshake"
	"github.com/stormbench/stormbench/internal/looptls"
	"golang.org/x/sys/unix"
)

// A connection attempt runs on the client's event loop, with no slot to
// wait for: socket and connect() are non-blocking, the loop watches the
// socket until the TCP handshake ends, writes the HTTP upgrade request and
// parses the response from whatever each read returns. An attempt
// therefore starts when its timer fires — its lateness is the harness's
// own CPU — and a slow or silent server shows up where it belongs: in
// connect latency, timeouts and failures.
//
// Two stages run beside the loop, each on a goroutine that lives only as
// long as it does and starts the moment it is needed, so that nothing but
// the CPU stands between an attempt and its next stage: the lookup of the
// URL's host when it is a name (resolve.go), and the TLS handshake of a
// wss attempt (tls.go). Their results come back through the loop's queue;
// the connect deadline covers them and cancels what is still running.

// dialStage is where an attempt is.
type dialStage uint8

const (
	stageDNS     dialStage = iota + 1 // the host's lookup in flight
	stageTCP                          // connect() in progress
	stageTLS                          // TLS handshake in progress (wss)
	stageUpgrade                      // request written (or being written), response awaited
)

// dialState is what an attempt needs while it is in flight. It comes from
// the shard's free list and goes back when the attempt ends, so that an
// open or waiting client holds none.
type dialState struct {
	stage dialStage
	// dnsAt is when the host's address was known (the start without a
	// lookup), tcpAt TCP established, tlsAt the TLS handshake done.
	dnsAt, tcpAt, tlsAt time.Duration
	// addr is the server address dialled.
	addr   netip.AddrPort
	rs     *resolution        // the lookup in flight (stageDNS)
	hs     *looptls.Handshake // the TLS handshake in flight (stageTLS)
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

// connect starts an attempt at start (a partitioned attempt began earlier,
// when its first SYN was lost): a lookup of the host first when it is
// resolved per attempt, else straight to TCP with one of its fixed
// addresses.
func (c *client) connect(now, start time.Duration) {
	t := c.sh.target
	if t.dynamic() {
		c.resolveAttempt(now, start)
		return
	}
	d := c.sh.getDial()
	d.dnsAt = start
	c.dial = d
	c.hb.Kind = timerConnectDeadline
	c.sh.loop.Schedule(&c.hb, start+c.sh.cfg.ConnectTimeout)
	i := c.pickAddr(len(t.addrs))
	c.dialTCP(now, t.addrs[i], t.servers[i])
}

// dialTCP opens a non-blocking socket, connects it to addr (sa, its socket
// address) and registers it with the loop; the attempt's dialState and
// deadline are set.
func (c *client) dialTCP(now time.Duration, addr netip.AddrPort, sa unix.Sockaddr) {
	sh := c.sh
	t := sh.target
	c.dial.addr = addr
	family := unix.AF_INET6
	if addr.Addr().Is4() {
		family = unix.AF_INET
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		c.dialFailed(now, classifyErrno(err), -1)
		return
	}
	setSocketBuffers(fd)
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	if srcs := t.sources(addr.Addr()); len(srcs) > 0 {
		// IP_BIND_ADDRESS_NO_PORT: bind the address only; the port is
		// picked at connect() for this destination. Without it each source
		// address would be capped at one port range in total instead of
		// one per destination.
		_ = unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_BIND_ADDRESS_NO_PORT, 1)
		if err := unix.Bind(fd, srcs[c.id%uint64(len(srcs))]); err != nil {
			c.dialFailed(now, classifyErrno(err), fd)
			return
		}
	} else if len(t.srcs4)+len(t.srcs6) > 0 {
		// Source addresses were given, none of this server address's
		// family (a name that also resolved to the other family).
		c.dialFailed(now, measure.FailAddress, fd)
		return
	}
	err = unix.Connect(fd, sa)
	if err != nil && err != unix.EINPROGRESS && err != unix.EINTR {
		c.dialFailed(now, classifyErrno(err), fd)
		return
	}
	if err := sh.loop.Add(fd, unix.EPOLLOUT|unix.EPOLLIN|unix.EPOLLRDHUP, c); err != nil {
		c.dialFailed(now, measure.FailOther, fd)
		return
	}
	c.fd = int32(fd)
	c.dial.stage = stageTCP
}

// dialEvent handles readiness of a socket whose attempt is in flight.
func (c *client) dialEvent(events uint32, now time.Duration) {
	d := c.dial
	switch d.stage {
	case stageTLS:
		// The handshake's goroutine reads and writes the socket itself.
		c.stepTLS()
		return
	case stageTCP:
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
		if c.sh.target.tls != nil {
			c.startTLS(now)
			return
		}
		d.stage = stageUpgrade
		c.sendRequest(now)
		return
	}
	if !c.flushThenReadable(events, now) {
		return
	}
	if c.tls != nil {
		c.readTLS(now)
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
	if c.tls != nil {
		var ok bool
		if req, ok = c.seal(req); !ok {
			c.dialFailed(now, measure.FailTLS, int(c.fd))
			return
		}
	}
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
	timing := ConnectTiming{Total: now - start, DNS: d.dnsAt - start, TCP: d.tcpAt - d.dnsAt, Upgrade: now - d.tcpAt, Resolved: sh.target.dynamic()}
	if c.tls != nil {
		timing.TLS, timing.Upgrade = d.tlsAt-d.tcpAt, now-d.tlsAt
	}
	sh.connected(start, timing)
	sh.connectedTo(start, d.addr)
	c.opened(now)
	if len(leftover) > 0 && c.state == StateOpen {
		c.consume(leftover, now)
	}
	sh.putDial(d)
}

// dialFailed ends an attempt that failed; fd, when ≥ 0, is closed (with
// an RST: a half-done handshake needs no goodbye).
func (c *client) dialFailed(now time.Duration, cause measure.FailCause, fd int) {
	c.endDial(fd)
	c.failed(now, cause, c.attemptAt)
}

// endDial releases what an attempt held: its socket, its timer, its state,
// and a lookup or handshake still running (canceled).
func (c *client) endDial(fd int) {
	sh := c.sh
	c.tls = nil
	if d := c.dial; d != nil {
		if d.rs != nil {
			d.rs.cancel()
			d.rs = nil
		}
		if d.hs != nil {
			if sh.sessions != nil {
				// A handshake given up on keeps the session it offered.
				sh.sessions[c.index()].Keep(d.hs.Cancel)
			} else {
				d.hs.Cancel()
			}
			d.hs = nil
		}
	}
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
