package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/gobwas/ws"
)

func TestClassify(t *testing.T) {
	op := func(err error) error {
		return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", err)}
	}
	for _, tc := range []struct {
		err  error
		want failCause
	}{
		{op(syscall.ECONNREFUSED), failRefused},
		{op(syscall.ETIMEDOUT), failTimeout},
		{syscall.ETIMEDOUT, failTimeout},
		{fmt.Errorf("dial: %w", context.DeadlineExceeded), failTimeout},
		{os.ErrDeadlineExceeded, failTimeout},
		{op(syscall.ECONNRESET), failReset},
		{io.ErrUnexpectedEOF, failReset},
		{fmt.Errorf("upgrade: %w", io.EOF), failReset},
		{op(syscall.EADDRNOTAVAIL), failAddrNotAvail},
		{syscall.EMFILE, failFiles},
		{ws.StatusError(503), failStatus},
		{fmt.Errorf("something else"), failOther},
	} {
		if got := classify(tc.err); got != tc.want {
			t.Errorf("classify(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestFailCounts(t *testing.T) {
	var f failCounts
	if f.String() != "none" || f.total() != 0 {
		t.Fatalf("empty: %q %d", f.String(), f.total())
	}
	f[failTimeout] = 3
	f[failStatus] = 1
	if got := f.String(); got != "timeout 3, status 1" || f.total() != 4 {
		t.Fatalf("= %q, total %d", got, f.total())
	}
	if failCause(99).String() != "unknown" {
		t.Fatal("out-of-range cause has a name")
	}
}
