package loadgen

import (
	"syscall"
	"testing"

	"github.com/stormbench/stormbench/internal/measure"

	"golang.org/x/sys/unix"
)

func TestClassifyRead(t *testing.T) {
	tests := []struct {
		name  string
		n     int
		err   error
		cause measure.Cause
		dead  bool
	}{
		{"data", 10, nil, 0, false},
		{"fin", 0, nil, measure.CauseEOF, true},
		{"rst", 0, syscall.ECONNRESET, measure.CauseReset, true},
		{"would block", 0, syscall.EAGAIN, 0, false},
		{"interrupted", 0, syscall.EINTR, 0, false},
		{"retransmission timeout", 0, syscall.ETIMEDOUT, measure.CauseReset, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, dead := classifyRead(tt.n, tt.err)
			if c != tt.cause || dead != tt.dead {
				t.Fatalf("classifyRead(%d, %v) = %v, %v", tt.n, tt.err, c, dead)
			}
		})
	}
	if classifyWrite(syscall.EPIPE) != measure.CauseWriteError || classifyWrite(syscall.ECONNRESET) != measure.CauseReset {
		t.Fatal("classifyWrite")
	}
}

func TestClassifyErrno(t *testing.T) {
	tests := []struct {
		err  error
		want measure.FailCause
	}{
		{unix.ECONNREFUSED, measure.FailRefused},
		{unix.ETIMEDOUT, measure.FailTimeout},
		{unix.ECONNRESET, measure.FailReset},
		{unix.EPIPE, measure.FailReset},
		{unix.EADDRNOTAVAIL, measure.FailAddress},
		{unix.EADDRINUSE, measure.FailAddress},
		{unix.EMFILE, measure.FailLocal},
		{unix.ENFILE, measure.FailLocal},
		{unix.ENOBUFS, measure.FailLocal},
		{unix.ENETUNREACH, measure.FailUnreachable},
		{unix.EHOSTUNREACH, measure.FailUnreachable},
		{unix.EPERM, measure.FailOther},
	}
	for _, tt := range tests {
		if got := classifyErrno(tt.err); got != tt.want {
			t.Errorf("classifyErrno(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestCauseNames(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range measure.Causes() {
		if c.String() == "unknown" || seen[c.String()] {
			t.Fatalf("cause %d has name %q", c, c)
		}
		seen[c.String()] = true
	}
	for _, c := range measure.FailCauses() {
		if c.String() == "unknown" {
			t.Fatalf("fail cause %d has no name", c)
		}
	}
}
