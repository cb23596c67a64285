package tlsrelay

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/netip"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// ClientConfig is what a fleet's TLS dials share; it is read, never
// changed, and may be shared by any number of Dial calls.
type ClientConfig struct {
	// TLS configures the handshake: ServerName (SNI, and the name the
	// certificate must hold; an IP address is checked against the IP
	// SANs), RootCAs, InsecureSkipVerify, Certificates (client
	// certificates), and ClientSessionCache: one cache shared by the
	// process lets reconnects resume their TLS 1.3 session (cheaper: no
	// certificate to sign or verify). Leave NextProtos empty, or
	// "http/1.1": WebSocket over TLS is HTTP/1.1 (RFC 6455 §4.1).
	TLS *tls.Config
	// ConnectTimeout bounds TCP connect and TLS handshake together; zero
	// means no bound of the sidecar's own (the loop's deadline, through
	// Abort).
	ConnectTimeout time.Duration
	// SocketBuffer is the TCP socket's SO_RCVBUF and SO_SNDBUF: zero means
	// SocketBuffer (64 KiB), negative the kernel's defaults.
	SocketBuffer int
	// Clock is the time base of Events and Times (the loop's clock); nil
	// means the time since the process started.
	Clock func() time.Duration
	// Context, when set, is the run's: canceling it (a drain) cancels
	// every attempt still dialing, with CauseCanceled. Relays already
	// running are the loop's to close.
	Context context.Context
}

// Dial starts a TLS connection attempt to raddr without blocking: it
// returns at once the loop's end of a new socketpair (non-blocking,
// close-on-exec, ready for epoll and writable at once) and the Relay.
// A goroutine then connects, from src unless src is the zero Addr (bound
// with IP_BIND_ADDRESS_NO_PORT, so each source address gets a port range
// per destination), runs the TLS handshake and relays. What the loop
// writes meanwhile waits in the socketpair and goes out after the
// handshake. report, when not nil, gets EventTCP, then EventTLS or
// EventFailed, and EventClosed at the end. An error means no attempt was
// started (no descriptor left, CauseLocal): nothing is reported.
func Dial(cfg *ClientConfig, raddr netip.AddrPort, src netip.Addr, report func(Event)) (int, *Relay, error) {
	if cfg == nil || cfg.TLS == nil {
		return -1, nil, &Error{Cause: CauseOther, Err: errors.New("no TLS configuration")}
	}
	fd, p, err := newPair()
	if err != nil {
		return -1, nil, &Error{Cause: Classify(err), Err: err}
	}
	r := newRelay(p, cfg.Clock, report)
	parent := cfg.Context
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithCancel(parent)
	r.cancel = cancel
	r.active = 1
	go r.dial(ctx, parent, cfg, raddr, src)
	return fd, r, nil
}

// dial runs the attempt and starts the relay's pumps. They are fresh
// goroutines rather than this one going on as one of them: the handshake
// grew this goroutine's stack to several KiB, and a goroutine parked for
// hours would keep it (and whatever its frames point at).
func (r *Relay) dial(ctx, parent context.Context, cfg *ClientConfig, raddr netip.AddrPort, src netip.Addr) {
	defer r.exit()
	cancel := r.cancel
	defer cancel()
	if cfg.ConnectTimeout > 0 {
		var c2 context.CancelFunc
		ctx, c2 = context.WithTimeout(ctx, cfg.ConnectTimeout)
		defer c2()
	}
	d := net.Dialer{Control: socketOptions(cfg.SocketBuffer, src.IsValid())}
	if src.IsValid() {
		d.LocalAddr = &net.TCPAddr{IP: src.AsSlice()}
	}
	c, err := d.DialContext(ctx, "tcp", raddr.String())
	if err != nil {
		r.failed(ctx, parent, err, false)
		return
	}
	t, err := newTCPSide(c)
	if err != nil {
		c.Close()
		r.failed(ctx, parent, err, false)
		return
	}
	// Until the relay runs, any close is an RST: a half-done handshake
	// needs no goodbye, and an Abort must reset.
	_ = t.SetLinger(0)
	r.tcpAt.Store(int64(r.clock()))
	r.mu.Lock()
	stop := r.stopReq != CauseNone
	if !stop {
		r.tcp = t
	}
	r.mu.Unlock()
	if stop {
		t.abort()
		r.failed(ctx, parent, context.Canceled, false)
		return
	}
	r.emit(Event{Kind: EventTCP, At: time.Duration(r.tcpAt.Load())})

	tc := tls.Client(t, cfg.TLS)
	if err := tc.HandshakeContext(ctx); err != nil {
		t.abort()
		r.failed(ctx, parent, err, true)
		return
	}
	r.mu.Lock()
	stop = r.stopReq != CauseNone
	if !stop {
		r.tc = tc
		r.phase = phaseRelaying
		r.cancel = nil
		r.active += 2 // the pumps
	}
	r.mu.Unlock()
	if stop {
		t.abort()
		r.failed(ctx, parent, context.Canceled, true)
		return
	}
	_ = t.SetLinger(-1)
	t.poll = true
	r.tlsAt.Store(int64(r.clock()))
	st := tc.ConnectionState()
	r.emit(Event{Kind: EventTLS, At: time.Duration(r.tlsAt.Load()), Resumed: st.DidResume, Version: st.Version})
	go r.up()
	go r.down()
}

// failed ends an attempt: the cause is the caller's request (Abort,
// Close), the run's cancellation, the timeout, or what the error says.
func (r *Relay) failed(ctx, parent context.Context, err error, inHandshake bool) {
	r.mu.Lock()
	c := r.stopReq
	r.mu.Unlock()
	switch {
	case c != CauseNone:
	case parent.Err() != nil:
		c = CauseCanceled
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		c = CauseTimeout
	default:
		c = Classify(err)
		if inHandshake && (c == CauseOther || c == CauseClosed) {
			c = CauseHandshake
		}
	}
	r.end(c, &Error{Cause: c, Err: err}, endAbort)
}

// socketOptions sets what loadgen sets on its plain sockets, before bind
// and connect: buffers, TCP_NODELAY (Go's default, set again so that it
// does not depend on it) and, with a source address,
// IP_BIND_ADDRESS_NO_PORT.
func socketOptions(size int, bindNoPort bool) func(string, string, syscall.RawConn) error {
	if size == 0 {
		size = SocketBuffer
	}
	return func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			s := int(fd)
			if size > 0 {
				_ = unix.SetsockoptInt(s, unix.SOL_SOCKET, unix.SO_RCVBUF, size)
				_ = unix.SetsockoptInt(s, unix.SOL_SOCKET, unix.SO_SNDBUF, size)
			}
			_ = unix.SetsockoptInt(s, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
			if bindNoPort {
				serr = unix.SetsockoptInt(s, unix.IPPROTO_IP, unix.IP_BIND_ADDRESS_NO_PORT, 1)
			}
		})
		if err != nil {
			return err
		}
		return serr
	}
}
