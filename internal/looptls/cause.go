package looptls

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"reflect"
	"strconv"

	"golang.org/x/sys/unix"
)

// Cause says why a handshake failed or a connection ended.
type Cause uint8

// Causes. The zero value, CauseNone, means "still running".
const (
	// CauseNone: nothing has ended yet.
	CauseNone Cause = iota
	// CauseRefused: the TCP connect was refused (ECONNREFUSED).
	CauseRefused
	// CauseTimeout: the connect timeout passed before the TLS handshake
	// was done, or an I/O deadline passed.
	CauseTimeout
	// CauseReset: the peer reset the TCP connection (ECONNRESET, EPIPE),
	// or the kernel tore it down (ETIMEDOUT after retransmissions).
	CauseReset
	// CauseEOF: the peer closed (close_notify or a FIN), cleanly for an
	// open connection; during a handshake it means the peer hung up mid-way.
	CauseEOF
	// CauseCertificate: a certificate was refused: ours did not verify
	// (unknown authority, wrong host name, expired), or the peer sent a
	// certificate alert about its view of ours.
	CauseCertificate
	// CauseHandshake: any other TLS handshake failure (a protocol error,
	// no common version or cipher suite, an alert from the peer).
	CauseHandshake
	// CauseAddress: no local address or port was available (EADDRNOTAVAIL).
	CauseAddress
	// CauseLocal: this process ran out of a resource (descriptors, memory).
	CauseLocal
	// CauseUnreachable: no route to the peer (ENETUNREACH, EHOSTUNREACH).
	CauseUnreachable
	// CauseCanceled: the caller's context (the run's drain) was canceled.
	CauseCanceled
	// CauseClosed: closed on this side (Close, or the loop closed its end).
	CauseClosed
	// CauseAborted: aborted on this side (Abort): the peer got an RST.
	CauseAborted
	// CauseOther: any other error.
	CauseOther
	numCauses
)

var causeNames = [numCauses]string{"", "refused", "timeout", "reset", "eof", "certificate", "handshake",
	"address", "local", "unreachable", "canceled", "closed", "aborted", "other"}

// String returns the cause's name ("" for CauseNone).
func (c Cause) String() string {
	if c < numCauses {
		return causeNames[c]
	}
	return "cause(" + strconv.Itoa(int(c)) + ")"
}

// Error is a handshake's or a connection's failure with its cause.
type Error struct {
	Cause Cause
	Err   error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err == nil {
		return "looptls: " + e.Cause.String()
	}
	return "looptls: " + e.Cause.String() + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// CauseOf returns the cause an *Error in err's chain carries, or classifies
// err with Classify.
func CauseOf(err error) Cause {
	if err == nil {
		return CauseNone
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Cause
	}
	return Classify(err)
}

// TLS alerts about certificates (RFC 8446 §6.2): bad_certificate,
// unsupported_certificate, certificate_revoked, certificate_expired,
// certificate_unknown, unknown_ca, certificate_required.
var certAlerts = map[uint64]bool{42: true, 43: true, 44: true, 45: true, 46: true, 48: true, 116: true}

// Classify maps an error of a dial, a TLS handshake or a record to a
// cause: errnos first (they are what the kernel said), then contexts and
// deadlines, then TLS certificate verification and alerts.
func Classify(err error) Cause {
	switch {
	case err == nil:
		return CauseNone
	case errors.Is(err, unix.ECONNREFUSED):
		return CauseRefused
	case errors.Is(err, unix.ECONNRESET), errors.Is(err, unix.EPIPE), errors.Is(err, unix.ECONNABORTED):
		return CauseReset
	case errors.Is(err, unix.ETIMEDOUT):
		// The kernel gave up retransmitting: a dead peer, not our deadline.
		return CauseReset
	case errors.Is(err, unix.EADDRNOTAVAIL), errors.Is(err, unix.EADDRINUSE):
		return CauseAddress
	case errors.Is(err, unix.EMFILE), errors.Is(err, unix.ENFILE), errors.Is(err, unix.ENOBUFS), errors.Is(err, unix.ENOMEM):
		return CauseLocal
	case errors.Is(err, unix.ENETUNREACH), errors.Is(err, unix.EHOSTUNREACH):
		return CauseUnreachable
	case errors.Is(err, context.Canceled):
		return CauseCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return CauseTimeout
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return CauseEOF
	case errors.Is(err, net.ErrClosed):
		return CauseClosed
	}
	if isCertError(err) {
		return CauseCertificate
	}
	if a, ok := alertOf(err); ok {
		if certAlerts[a] {
			return CauseCertificate
		}
		return CauseHandshake
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return CauseTimeout
	}
	var rh tls.RecordHeaderError
	if errors.As(err, &rh) {
		return CauseHandshake
	}
	return CauseOther
}

// isCertError reports a local verification failure of the peer's chain.
func isCertError(err error) bool {
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	var sa x509.SystemRootsError
	return errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) || errors.As(err, &sa)
}

// alertOf extracts a TLS alert that the peer sent or that this side sent
// when it gave up. crypto/tls reports either as a *net.OpError with Op
// "remote error" or "local error" around an unexported uint8 type; the
// code is read through reflection so that no message text is matched.
func alertOf(err error) (uint64, bool) {
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != "remote error" && oe.Op != "local error" || oe.Err == nil {
		return 0, false
	}
	v := reflect.ValueOf(oe.Err)
	if v.Kind() != reflect.Uint8 {
		return 0, false
	}
	return v.Uint(), true
}
