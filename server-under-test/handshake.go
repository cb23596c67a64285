package sut

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/looptls"
	"github.com/stormbench/stormbench/internal/protocol"
)

// handshake upgrades one accepted connection in its own short-lived
// goroutine, applies admission control, and hands the socket to a loop.
func (s *Server) handshake(c net.Conn) {
	var q protocol.Query
	var reject string
	admitted := false
	_ = c.SetDeadline(time.Now().Add(s.cfg.HandshakeTimeout))
	var rw io.ReadWriter = c
	var tc *looptls.Conn // wss: the TLS handshake is done first
	if s.tls != nil {
		if tc = s.acceptTLS(c); tc == nil {
			return
		}
		rw = tc.TLS()
	}
	u := ws.Upgrader{
		OnRequest: func(uri []byte) error {
			path, query := protocol.ParseURI(uri)
			if string(path) != s.cfg.Path {
				reject = "not_found"
				return ws.RejectConnectionError(ws.RejectionStatus(http.StatusNotFound), ws.RejectionReason("no WebSocket endpoint at this path"))
			}
			q = query
			if err := s.admit(); err != nil {
				reject = err.reason
				return ws.RejectConnectionError(
					ws.RejectionStatus(http.StatusServiceUnavailable),
					ws.RejectionReason(err.reason),
					ws.RejectionHeader(ws.HandshakeHeaderString("Retry-After: "+strconv.Itoa(err.retryAfter)+"\r\n")),
				)
			}
			admitted = true
			return nil
		},
	}
	_, err := u.Upgrade(rw)
	var fd int
	if err == nil {
		_ = c.SetDeadline(time.Time{})
		if fd, err = detach(c, tc); err != nil {
			fmt.Fprintf(s.logw, "sut: %v\n", err)
		}
	}
	if err != nil {
		if admitted {
			s.stats.c.slots.Add(-1)
		}
		switch reject {
		case "not_found":
			s.stats.c.rejectPath.Add(1)
		case "accept_rate":
			s.stats.c.rejectRate.Add(1)
		case "max_conns":
			s.stats.c.rejectMaxConns.Add(1)
		default:
			s.stats.c.handshakeErrors.Add(1)
		}
		closeConn(c, tc)
		return
	}
	s.stats.c.handshakes.Add(1)
	// A client's connections go to one loop, the one of its ID, so that
	// its session needs no lock (session.go); others are spread evenly.
	sh := s.shards[int(s.next.Add(1))%len(s.shards)]
	if q.HasClient {
		sh = s.shards[q.Client%uint64(len(s.shards))]
	}
	sh.loop.Submit(func() { sh.register(fd, q, tc) })
}

type admitError struct {
	reason     string
	retryAfter int
}

// admit applies --max-conns (counting handshakes in progress, so that a
// storm cannot overshoot it) and the --accept-rate token bucket. An
// admitted connection holds a slot until it is gone.
func (s *Server) admit() *admitError {
	ra := max(1, int((s.cfg.RetryAfter+time.Second-1)/time.Second))
	if n := s.stats.c.slots.Add(1); s.cfg.MaxConns > 0 && n > int64(s.cfg.MaxConns) {
		s.stats.c.slots.Add(-1)
		return &admitError{"max_conns", ra}
	}
	if s.limiter != nil {
		r := s.limiter.Reserve()
		if d := r.Delay(); d > 0 {
			r.Cancel()
			s.stats.c.slots.Add(-1)
			return &admitError{"accept_rate", max(ra, int((d+time.Second-1)/time.Second))}
		}
	}
	return nil
}
