package loadgen

import (
	"errors"
	"syscall"

	"github.com/stormbench/stormbench/internal/measure"
)

// classifyRead maps the outcome of a read on an open connection to a
// detection cause: 0 bytes without error is the peer's FIN, ECONNRESET its
// RST; other socket errors (ETIMEDOUT after retransmissions, EHOSTUNREACH)
// also mean the kernel tore the connection down, which clients see as a
// reset.
func classifyRead(n int, err error) (measure.Cause, bool) {
	switch {
	case n > 0:
		return 0, false
	case err == nil:
		return measure.CauseEOF, true
	case errors.Is(err, syscall.EAGAIN), errors.Is(err, syscall.EINTR):
		return 0, false
	default:
		return measure.CauseReset, true
	}
}

// classifyWrite maps a failed write to a cause: an RST shows as
// ECONNRESET, everything else (EPIPE after a FIN) is a write error.
func classifyWrite(err error) measure.Cause {
	if errors.Is(err, syscall.ECONNRESET) {
		return measure.CauseReset
	}
	return measure.CauseWriteError
}
