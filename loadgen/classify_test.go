package loadgen

import (
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestClassifyRead(t *testing.T) {
	tests := []struct {
		name  string
		n     int
		err   error
		cause Cause
		dead  bool
	}{
		{"data", 10, nil, 0, false},
		{"fin", 0, nil, CauseEOF, true},
		{"rst", 0, syscall.ECONNRESET, CauseReset, true},
		{"would block", 0, syscall.EAGAIN, 0, false},
		{"interrupted", 0, syscall.EINTR, 0, false},
		{"retransmission timeout", 0, syscall.ETIMEDOUT, CauseReset, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, dead := classifyRead(tt.n, tt.err)
			if c != tt.cause || dead != tt.dead {
				t.Fatalf("classifyRead(%d, %v) = %v, %v", tt.n, tt.err, c, dead)
			}
		})
	}
	if classifyWrite(syscall.EPIPE) != CauseWriteError || classifyWrite(syscall.ECONNRESET) != CauseReset {
		t.Fatal("classifyWrite")
	}
}

func TestClassifyErrno(t *testing.T) {
	tests := []struct {
		err  error
		want FailCause
	}{
		{unix.ECONNREFUSED, FailRefused},
		{unix.ETIMEDOUT, FailTimeout},
		{unix.ECONNRESET, FailReset},
		{unix.EPIPE, FailReset},
		{unix.EADDRNOTAVAIL, FailAddress},
		{unix.EADDRINUSE, FailAddress},
		{unix.EMFILE, FailLocal},
		{unix.ENFILE, FailLocal},
		{unix.ENOBUFS, FailLocal},
		{unix.ENETUNREACH, FailUnreachable},
		{unix.EHOSTUNREACH, FailUnreachable},
		{unix.EPERM, FailOther},
	}
	for _, tt := range tests {
		if got := classifyErrno(tt.err); got != tt.want {
			t.Errorf("classifyErrno(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestCauseNames(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Causes() {
		if c.String() == "unknown" || seen[c.String()] {
			t.Fatalf("cause %d has name %q", c, c)
		}
		seen[c.String()] = true
	}
	for _, c := range FailCauses() {
		if c.String() == "unknown" {
			t.Fatalf("fail cause %d has no name", c)
		}
	}
}
