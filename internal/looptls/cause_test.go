package looptls

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// alertErr builds the error crypto/tls returns for an alert, with the
// unexported alert type reached through a real handshake would be too
// slow for a table: any uint8-kinded error does.
type alertErr uint8

func (a alertErr) Error() string { return fmt.Sprintf("alert %d", uint8(a)) }

func TestClassify(t *testing.T) {
	opErr := func(e error) error { return &net.OpError{Op: "read", Err: os.NewSyscallError("read", e)} }
	for _, tc := range []struct {
		err  error
		want Cause
	}{
		{nil, CauseNone},
		{opErr(unix.ECONNREFUSED), CauseRefused},
		{opErr(unix.ECONNRESET), CauseReset},
		{opErr(unix.EPIPE), CauseReset},
		{opErr(unix.ETIMEDOUT), CauseReset},
		{opErr(unix.EADDRNOTAVAIL), CauseAddress},
		{opErr(unix.EMFILE), CauseLocal},
		{opErr(unix.EHOSTUNREACH), CauseUnreachable},
		{context.Canceled, CauseCanceled},
		{fmt.Errorf("dial: %w", context.DeadlineExceeded), CauseTimeout},
		{io.EOF, CauseEOF},
		{io.ErrUnexpectedEOF, CauseEOF},
		{net.ErrClosed, CauseClosed},
		{&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, CauseCertificate},
		{x509.HostnameError{Host: "x"}, CauseCertificate},
		{&net.OpError{Op: "remote error", Err: alertErr(48)}, CauseCertificate},
		{&net.OpError{Op: "remote error", Err: alertErr(42)}, CauseCertificate},
		{&net.OpError{Op: "remote error", Err: alertErr(40)}, CauseHandshake},
		{&net.OpError{Op: "local error", Err: alertErr(70)}, CauseHandshake},
		{tls.RecordHeaderError{Msg: "bad"}, CauseHandshake},
		{wouldBlock{}, CauseTimeout},
		{errors.New("something else"), CauseOther},
		{&Error{Cause: CauseAborted, Err: io.EOF}, CauseEOF}, // Classify reads the chain, not the label
	} {
		if got := Classify(tc.err); got != tc.want {
			t.Errorf("Classify(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	if c := CauseOf(&Error{Cause: CauseAborted, Err: io.EOF}); c != CauseAborted {
		t.Errorf("CauseOf reads the label: got %v", c)
	}
	if c := CauseOf(fmt.Errorf("x: %w", &Error{Cause: CauseTimeout})); c != CauseTimeout {
		t.Errorf("CauseOf through wrapping: got %v", c)
	}
}

func TestCauseNames(t *testing.T) {
	seen := map[string]bool{}
	for c := CauseNone + 1; c < numCauses; c++ {
		s := c.String()
		if s == "" || seen[s] {
			t.Errorf("cause %d: name %q empty or repeated", c, s)
		}
		seen[s] = true
	}
	if s := Cause(200).String(); s != "cause(200)" {
		t.Errorf("out of range: %q", s)
	}
}
