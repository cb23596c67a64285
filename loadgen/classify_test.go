package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"testing"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/protocol"
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

func TestClassifyDial(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want FailCause
	}{
		{"refused", &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}, FailRefused},
		{"503", ws.StatusError(503), FailRejected},
		{"429", fmt.Errorf("upgrade: %w", ws.StatusError(429)), FailRejected},
		{"404", ws.StatusError(404), FailHTTPStatus},
		{"deadline", context.DeadlineExceeded, FailTimeout},
		{"canceled", context.Canceled, FailCanceled},
		{"no ports", syscall.EADDRNOTAVAIL, FailAddress},
		{"reset in handshake", syscall.ECONNRESET, FailReset},
		{"eof in handshake", io.ErrUnexpectedEOF, FailReset},
		{"bad accept", ws.ErrHandshakeBadSecAccept, FailHandshake},
		{"other", errors.New("boom"), FailOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classifyDial(tt.err); got != tt.want {
				t.Fatalf("classifyDial(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
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

func TestWithQuery(t *testing.T) {
	q := protocol.Query{Client: 7, HasClient: true, Resume: 42, HasResume: true}
	tests := []struct{ raw, want string }{
		{"", "client=7&resume=42"},
		{"token=a", "token=a&client=7&resume=42"},
	}
	for _, tt := range tests {
		if got := withQuery(tt.raw, q); got != tt.want {
			t.Errorf("withQuery(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
	if got := withQuery("", protocol.Query{}); got != "" {
		t.Errorf("empty query gave %q", got)
	}
}
