package loadgen

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/gobwas/ws"
)

// classifyRead maps the outcome of a read on an open connection to a
// detection cause: 0 bytes without error is the peer's FIN, ECONNRESET its
// RST; other socket errors (ETIMEDOUT after retransmissions, EHOSTUNREACH)
// also mean the kernel tore the connection down, which clients see as a
// reset.
func classifyRead(n int, err error) (Cause, bool) {
	switch {
	case n > 0:
		return 0, false
	case err == nil:
		return CauseEOF, true
	case errors.Is(err, syscall.EAGAIN), errors.Is(err, syscall.EINTR):
		return 0, false
	default:
		return CauseReset, true
	}
}

// classifyWrite maps a failed write to a cause: an RST shows as
// ECONNRESET, everything else (EPIPE after a FIN) is a write error.
func classifyWrite(err error) Cause {
	if errors.Is(err, syscall.ECONNRESET) {
		return CauseReset
	}
	return CauseWriteError
}

// classifyDial maps a failed dial or handshake to a failure cause.
func classifyDial(err error) FailCause {
	var se ws.StatusError
	var ne net.Error
	switch {
	case err == nil:
		return 0
	case errors.As(err, &se):
		if int(se) == 503 || int(se) == 429 {
			return FailRejected
		}
		return FailHTTPStatus
	case errors.Is(err, context.Canceled):
		return FailCanceled
	case errors.Is(err, syscall.ECONNREFUSED):
		return FailRefused
	case errors.Is(err, syscall.EADDRNOTAVAIL), errors.Is(err, syscall.EADDRINUSE):
		return FailAddress
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, syscall.ETIMEDOUT):
		return FailTimeout
	case errors.As(err, &ne) && ne.Timeout():
		return FailTimeout
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		// The server dropped the connection during the handshake.
		return FailReset
	case isHandshakeError(err):
		return FailHandshake
	default:
		return FailOther
	}
}

func isHandshakeError(err error) bool {
	for _, e := range []error{
		ws.ErrHandshakeBadProtocol, ws.ErrHandshakeBadStatus, ws.ErrHandshakeBadUpgrade,
		ws.ErrHandshakeBadConnection, ws.ErrHandshakeBadSecAccept, ws.ErrHandshakeBadSecKey,
		ws.ErrHandshakeBadExtensions, ws.ErrHandshakeBadSubProtocol, ws.ErrMalformedResponse,
	} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
