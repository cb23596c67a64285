package livemetrics

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// ErrNotLoopback reports a listen address outside the loopback range that
// the caller did not allow: the live view shows a staging run's internals
// (fleet size, faults, what failed and why) to whoever reaches the port.
var ErrNotLoopback = errors.New("not a loopback address")

// checkListenAddr accepts host:port whose host is a loopback IP (127.0.0.0/8,
// ::1) or "localhost"; anything else only when allow is set. An empty host
// listens on every interface and is not loopback. Host names other than
// localhost are refused rather than resolved: what a name resolves to can
// change, and the decision should not depend on DNS.
func checkListenAddr(addr string, allow bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("metrics listen address %q: want host:port: %w", addr, err)
	}
	if allow || strings.EqualFold(host, "localhost") {
		return nil
	}
	ip, err := netip.ParseAddr(host)
	if err == nil && ip.Unmap().IsLoopback() {
		return nil
	}
	what := "host " + host
	if host == "" {
		what = "an empty host (every interface)"
	}
	return fmt.Errorf("metrics listen address %q: %s is %w: the live view shows a staging run's internals to whoever reaches it; listen on 127.0.0.1 or allow it explicitly", addr, what, ErrNotLoopback)
}

// CheckListenAddr checks a metrics listen address before anything starts,
// as Listen will: host:port, with a loopback host unless allow.
func CheckListenAddr(addr string, allow bool) error { return checkListenAddr(addr, allow) }

// checkBound verifies the address a listener got: "localhost" must have
// resolved to loopback too.
func checkBound(a net.Addr, allow bool) error {
	if allow {
		return nil
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil || !ap.Addr().Unmap().IsLoopback() {
		return fmt.Errorf("metrics listener bound to %s, which is %w", a, ErrNotLoopback)
	}
	return nil
}
