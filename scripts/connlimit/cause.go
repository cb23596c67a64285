package main

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"syscall"

	"github.com/gobwas/ws"
)

// failCause is why a connection attempt failed; failures are counted by
// cause, never fatal.
type failCause int

const (
	failOther        failCause = iota // anything else
	failTimeout                       // the attempt's deadline passed
	failRefused                       // RST to the SYN (ECONNREFUSED)
	failReset                         // RST or EOF during the upgrade
	failAddrNotAvail                  // no local port left (EADDRNOTAVAIL)
	failFiles                         // out of file descriptors (EMFILE, ENFILE)
	failStatus                        // the server answered, but not 101
	nFailCauses
)

var failNames = [nFailCauses]string{"other", "timeout", "refused", "reset", "addr_not_avail", "files", "status"}

// String returns the cause's name as printed.
func (c failCause) String() string {
	if c < 0 || c >= nFailCauses {
		return "unknown"
	}
	return failNames[c]
}

// classify maps an error of a connect or an upgrade to its cause.
func classify(err error) failCause {
	var ne net.Error
	var st ws.StatusError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.Is(err, syscall.ETIMEDOUT), errors.Is(err, syscall.EAGAIN),
		errors.As(err, &ne) && ne.Timeout():
		return failTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return failRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, net.ErrClosed),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return failReset
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return failAddrNotAvail
	case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
		return failFiles
	case errors.As(err, &st):
		return failStatus
	}
	return failOther
}

// failCounts counts failures by cause.
type failCounts [nFailCauses]int64

// total returns the number of failures.
func (f *failCounts) total() int64 {
	var n int64
	for _, v := range f {
		n += v
	}
	return n
}

// String lists the non-zero causes, e.g. "timeout 3, refused 1".
func (f *failCounts) String() string {
	s := ""
	for c, v := range f {
		if v == 0 {
			continue
		}
		if s != "" {
			s += ", "
		}
		s += failCause(c).String() + " " + strconv.FormatInt(v, 10)
	}
	if s == "" {
		return "none"
	}
	return s
}
