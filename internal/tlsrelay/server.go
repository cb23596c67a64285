package tlsrelay

import (
	"crypto/tls"
	"net"
	"time"
)

// ServerConn is an accepted connection whose TLS handshake is done. The
// caller runs its HTTP upgrade over Conn in the goroutine that accepted
// it, as over a plain net.Conn, then hands it to a sidecar with Attach
// (or drops it with Close or Abort).
type ServerConn struct {
	tcp *tcpSide
	tc  *tls.Conn
}

// Accept runs the server side of the TLS handshake on c, an accepted
// *net.TCPConn, within timeout (zero: the deadlines already set on c, or
// none). On failure c is closed and the error is an *Error whose Cause
// tells a timeout, a reset, a client that refused the certificate
// (CauseCertificate) and other handshake failures apart.
func Accept(c net.Conn, cfg *tls.Config, timeout time.Duration) (*ServerConn, error) {
	t, err := newTCPSide(c)
	if err != nil {
		c.Close()
		return nil, &Error{Cause: CauseOther, Err: err}
	}
	if timeout > 0 {
		_ = c.SetDeadline(time.Now().Add(timeout))
	}
	tc := tls.Server(t, cfg)
	if err := tc.Handshake(); err != nil {
		cause := Classify(err)
		if cause == CauseOther || cause == CauseClosed {
			cause = CauseHandshake
		}
		_ = c.Close()
		return nil, &Error{Cause: cause, Err: err}
	}
	if timeout > 0 {
		_ = c.SetDeadline(time.Time{})
	}
	return &ServerConn{tcp: t, tc: tc}, nil
}

// Conn returns the TLS connection, for the HTTP upgrade.
func (s *ServerConn) Conn() *tls.Conn { return s.tc }

// Close closes the connection cleanly (close_notify, then FIN), e.g.
// after the upgrade was refused.
func (s *ServerConn) Close() error { return s.tc.Close() }

// Abort closes the connection with an RST.
func (s *ServerConn) Abort() { s.tcp.abort() }

// Attach hands the connection to a sidecar: it clears the connection's
// deadlines, starts the relay and returns the loop's end of its
// socketpair (non-blocking, close-on-exec). Whatever crypto/tls already
// decrypted and the upgrade did not read is relayed first. report, when
// not nil, gets EventClosed when the relay ends. The ServerConn must not
// be used afterwards; on error the connection is closed.
func (s *ServerConn) Attach(report func(Event)) (int, *Relay, error) {
	_ = s.tcp.SetDeadline(time.Time{})
	fd, p, err := newPair()
	if err != nil {
		s.tcp.abort()
		return -1, nil, &Error{Cause: Classify(err), Err: err}
	}
	r := newRelay(p, nil, report)
	now := int64(r.clock())
	r.tcpAt.Store(now)
	r.tlsAt.Store(now)
	r.tcp, r.tc = s.tcp, s.tc
	r.phase = phaseRelaying
	r.active = 2
	s.tcp.poll = true
	go r.down()
	go r.up()
	return fd, r, nil
}
