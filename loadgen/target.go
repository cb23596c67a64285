package loadgen

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"time"

	"github.com/stormbench/stormbench/internal/handshake"
	"golang.org/x/sys/unix"
)

// target is where every client of a fleet connects, prepared once: the
// server's host and port, its addresses when they are fixed (an IP host,
// or Config.Resolve), the source addresses to spread over, and the upgrade
// request's template. A host name without Config.Resolve is resolved again
// for every attempt, as a browser does (resolve.go).
type target struct {
	host string
	port int
	// addrs are the server's fixed addresses, servers the same as socket
	// addresses (each loop has its own copies: unix.Connect writes into
	// them); nil when the host is resolved per attempt.
	addrs   []netip.AddrPort
	servers []unix.Sockaddr
	// srcs4 and srcs6 are the source addresses of each family.
	srcs4, srcs6 []unix.Sockaddr
	tmpl         *handshake.Template
	// maxReq bounds one request: the shards' scratch buffers have this room.
	maxReq int
	// tls is set for wss:// URLs (tls.go).
	tls *tlsTarget
}

// Resolver looks up a host's addresses; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// defaultResolver is Go's own DNS client, not the C library's: it runs in
// the goroutine that asks, with no limit of its own on lookups in flight
// (the cgo resolver queues lookups behind a fixed number of threads,
// which would hold attempts back unseen). Concurrent lookups of one name
// share one query.
var defaultResolver Resolver = &net.Resolver{PreferGo: true}

// newTarget prepares the sockets' addresses of u (pinned, when resolve is
// a --resolve entry for it). A host name is resolved once here, so that a
// name that does not resolve at all is refused before anything starts.
func newTarget(u *url.URL, srcs []netip.Addr, resolve string, r Resolver) (*target, error) {
	tmpl, err := handshake.NewTemplate(u, handshake.Options{})
	if err != nil {
		return nil, err
	}
	t := &target{host: u.Hostname(), port: urlPort(u), tmpl: tmpl, maxReq: tmpl.MaxSize()}
	if t.port <= 0 {
		return nil, fmt.Errorf("--url %s: bad port %q", u.Redacted(), u.Port())
	}
	var first netip.Addr
	switch {
	case resolve != "":
		e, err := ParseResolve(resolve)
		if err != nil {
			return nil, err
		}
		for _, a := range e.Addrs {
			t.addrs = append(t.addrs, netip.AddrPortFrom(a, uint16(t.port)))
		}
		first = e.Addrs[0]
	default:
		if a, err := netip.ParseAddr(t.host); err == nil {
			t.addrs = []netip.AddrPort{netip.AddrPortFrom(a.Unmap(), uint16(t.port))}
			first = a.Unmap()
			break
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		addrs, err := r.LookupNetIP(ctx, "ip", t.host)
		cancel()
		if err != nil || len(addrs) == 0 {
			return nil, fmt.Errorf("resolve %s: %w", t.host, noAddress(err))
		}
		first = addrs[0].Unmap()
	}
	for _, a := range t.addrs {
		t.servers = append(t.servers, sockaddr(a.Addr(), int(a.Port())))
	}
	for _, s := range srcs {
		switch sa := sockaddr(s, 0).(type) {
		case *unix.SockaddrInet4:
			t.srcs4 = append(t.srcs4, sa)
		default:
			t.srcs6 = append(t.srcs6, sa)
		}
	}
	if len(srcs) > 0 && len(t.sources(first)) == 0 {
		return nil, fmt.Errorf("--source-ips: %v is not of the server's address family (%v)", srcs[0], first)
	}
	return t, nil
}

// noAddress is err, or an error for an answer without an address.
func noAddress(err error) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("no address")
}

// urlPort is u's port, or its scheme's (80, 443); 0 when it is not one.
func urlPort(u *url.URL) int {
	p := u.Port()
	if p == "" {
		if u.Scheme == "wss" {
			return 443
		}
		return 80
	}
	n, err := strconv.Atoi(p)
	if err != nil || n <= 0 || n > 65535 {
		return 0
	}
	return n
}

// dynamic reports whether the host is resolved for every attempt.
func (t *target) dynamic() bool { return t.addrs == nil }

// sources returns the source addresses of a's family.
func (t *target) sources(a netip.Addr) []unix.Sockaddr {
	if a.Unmap().Is4() {
		return t.srcs4
	}
	return t.srcs6
}

func sockaddr(a netip.Addr, port int) unix.Sockaddr {
	a = a.Unmap()
	if a.Is4() {
		return &unix.SockaddrInet4{Port: port, Addr: a.As4()}
	}
	return &unix.SockaddrInet6{Port: port, Addr: a.As16()}
}

// forLoop returns a copy of t for one event loop: unix.Connect and
// unix.Bind write into the Sockaddr they are given (its raw form), so loops
// must not share one.
func (t *target) forLoop() *target {
	c := *t
	c.servers = cloneSockaddrs(t.servers)
	c.srcs4 = cloneSockaddrs(t.srcs4)
	c.srcs6 = cloneSockaddrs(t.srcs6)
	return &c
}

func cloneSockaddrs(in []unix.Sockaddr) []unix.Sockaddr {
	if in == nil {
		return nil
	}
	out := make([]unix.Sockaddr, len(in))
	for i, s := range in {
		out[i] = cloneSockaddr(s)
	}
	return out
}

func cloneSockaddr(sa unix.Sockaddr) unix.Sockaddr {
	switch s := sa.(type) {
	case *unix.SockaddrInet4:
		return &unix.SockaddrInet4{Port: s.Port, Addr: s.Addr}
	case *unix.SockaddrInet6:
		return &unix.SockaddrInet6{Port: s.Port, ZoneId: s.ZoneId, Addr: s.Addr}
	}
	return sa
}
